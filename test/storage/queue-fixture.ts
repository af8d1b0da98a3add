import {existsSync} from 'node:fs';
import {mkdtemp, readdir, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {ExecutionContext} from 'ava';
import {openDurableRowQueue, type DurableRowQueueOptions} from '../../source/storage/durable-row-queue.js';
import {openJournalDirectory} from '../../source/storage/journal-directory.js';
import type {PendingRow} from '../../source/storage/journal-record.js';

/** Rows and scratch journals for the durable queue's tests. */

/** Row `index`; odd rows were never sent (sent_at NULL), even ones 3 ms after their slot. */
export function pending(index: number, websiteId = 7): PendingRow {
	const time = Date.UTC(2026, 0, 1) + (index * 1000);
	const at = new Date(time).toISOString();
	const sent = index % 2 === 0 ? new Date(time + 3).toISOString() : null;
	return {url: `https://site-${index % 3}.example:443`, row: [websiteId, at, 0.1, 200, 2, null, at, null, null, sent]};
}

/** A journal directory path in a fresh temporary directory, removed after the test. */
export async function scratch(t: ExecutionContext): Promise<string> {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-queue-test-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	return path.join(directory, 'journal');
}

/** Opens a queue over `directory`, collecting its warnings. */
export async function open(directory: string, options: Omit<DurableRowQueueOptions, 'directory'> = {}) {
	const warnings: string[] = [];
	const queue = await openDurableRowQueue({
		directory: await openJournalDirectory(directory, 'test target'),
		warn(line) {
			warnings.push(line);
		},
		...options,
	});
	return {queue, warnings};
}

/** Reads and drops every row, `batch` at a time, as the writer does. */
export async function drain(queue: Awaited<ReturnType<typeof open>>['queue'], batch = 7) {
	const rows: Array<PendingRow | undefined> = [];
	while (queue.size > 0) {
		const next = await queue.peek(batch);
		rows.push(...next);
		queue.drop(next.length);
	}

	return rows;
}

/** Pushes rows `from` to `to` in groups of `group`, each written before the next (a segment closes between writes). */
export async function pushRange(queue: {push(row: PendingRow): void; sync(): Promise<void>}, from: number, to: number, group: number) {
	for (let index = from; index < to; index++) {
		queue.push(pending(index));
		if ((index + 1) % group === 0) {
			await queue.sync();
		}
	}
}

/** The segment files in `directory`, in order. */
export async function segmentsIn(directory: string) {
	return existsSync(directory) ? (await readdir(directory)).filter(name => name.endsWith('.ndjson')).sort() : [];
}

/** A seeded generator (Lehmer) of numbers in [0, 1): a failing random test can be replayed. */
export function seededRandom(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 48_271) % 2_147_483_647;
		return state / 2_147_483_647;
	};
}
