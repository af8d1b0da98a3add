import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import http, {type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {ExecutionContext} from 'ava';
import {sql} from 'slonik';
import {z} from 'zod';
import {isIntactJournalLine} from '../../source/storage/journal-record.js';
import {openDatabase} from '../../source/storage/open-database.js';
import type {DatabaseTarget} from '../../source/storage/types.js';
import {createTestDatabase, type BackendKind} from '../helpers/database.js';
import {databaseFlags, type CliRun} from '../helpers/run-cli.js';
import {waitFor, waitForValue} from '../helpers/wait-for.js';

/**
Loopback sites that count what they see. `seen` counts requests as they arrive; `answered` counts
responses sent. While `hold()` is on, new requests are parked unanswered (and not counted as
answered): a test that then kills the monitor with SIGKILL knows exactly which checks completed.
`/held/<i>` paths are answered only once `answerHeld()` is called: a check a test can keep in flight
for as long as it needs, without guessing how long that is.
*/
export type LoopbackSites = {
	/** `http://127.0.0.1:<port>/site/<i>`; `/slow/<i>` paths answer after `slowMs`; `/held/<i>` ones on `answerHeld()`. */
	readonly base: string;
	seen(): number;
	answered(): number;
	/** `/held/` requests waiting for their answer (the client has not gone away). */
	heldOpen(): number;
	/** Answers every `/held/` request waiting, and the ones to come at once. */
	answerHeld(): void;
	hold(): void;
	release(): void;
	/** Writes a sites CSV of `paths` (e.g. `/site/1`) at `intervalSeconds`; returns its path. */
	csv(directory: string, name: string, paths: readonly string[], intervalSeconds: number): Promise<string>;
	close(): Promise<void>;
};

/** Starts the server on 127.0.0.1 and an ephemeral port. */
export async function startLoopbackSites(options: {slowMs?: number} = {}): Promise<LoopbackSites> {
	let seen = 0;
	let answered = 0;
	let holding = false;
	const parked: ServerResponse[] = [];
	let heldAnswered = false;
	const held = new Set<ServerResponse>();
	const answer = (response: ServerResponse) => {
		if (!response.destroyed) {
			response.end('<html>all systems nominal</html>');
			answered++;
		}
	};

	const server = http.createServer((request: IncomingMessage, response: ServerResponse) => {
		seen++;
		if (holding) {
			parked.push(response);
			return;
		}

		if (request.url?.startsWith('/held/') && !heldAnswered) {
			held.add(response);
			response.on('close', () => held.delete(response));
			return;
		}

		if (request.url?.startsWith('/slow/')) {
			setTimeout(() => {
				answer(response);
			}, options.slowMs ?? 5000);
			return;
		}

		answer(response);
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as AddressInfo;
	return {
		base: `http://127.0.0.1:${port}`,
		seen: () => seen,
		answered: () => answered,
		heldOpen: () => held.size,
		answerHeld() {
			heldAnswered = true;
			for (const response of held) {
				answer(response);
			}

			held.clear();
		},
		hold() {
			holding = true;
		},
		release() {
			holding = false;
			// Requests parked for a monitor that was killed: their client is gone.
			for (const response of parked.splice(0)) {
				response.destroy();
			}
		},
		async csv(directory, name, paths, intervalSeconds) {
			const file = path.join(directory, name);
			await writeFile(file, paths.map(site => `http://127.0.0.1:${port}${site},${intervalSeconds}\n`).join(''));
			return file;
		},
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

/**
What a test of a whole run needs: a scratch directory, loopback sites, a fresh database of `kind`
and the CLI flags that point at it; all removed in teardown.
*/
export async function setUpLoopbackRun(t: ExecutionContext, kind: BackendKind) {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-run-'));
	const sites = await startLoopbackSites();
	const database = await createTestDatabase(kind);
	t.teardown(async () => {
		await sites.close();
		await database.dispose();
		await rm(directory, {recursive: true, force: true});
	});
	return {directory, sites, target: database.target, flags: await databaseFlags(database.target, directory)};
}

/** What `healthcheck` holds. */
export type StoredRows = {
	/** Rows of checks that ran (skipped slots excluded). */
	readonly checks: number;
	/** Every row. */
	readonly rows: number;
	/** Distinct `(website_fk, scheduled_at)`: equal to `rows` unless there are duplicates. */
	readonly keys: number;
	/** Rows of checks aborted by a forced stop. */
	readonly aborted: number;
	/** Rows of `/held/` checks that got their answer (200). */
	readonly heldAnswered: number;
	/** Rows of `/held/` checks a forced stop ended: aborted, or `worker_crash` when their worker had to be terminated. */
	readonly heldForced: number;
	/** Rows of checks whose request left (`sent_at` set): each one a request the sites saw. */
	readonly asked: number;
	/** Rows of checks a forced stop aborted before their request left (`sent_at` NULL). */
	readonly abortedUnsent: number;
	/** `worker_crash` rows: checks in flight in a worker that died or was terminated (whether their request left is unknown). */
	readonly crashed: number;
};

const counts = z.object({
	checks: z.number(),
	rows: z.number(),
	keys: z.number(),
	aborted: z.number(),
	heldAnswered: z.number(),
	heldForced: z.number(),
	asked: z.number(),
	abortedUnsent: z.number(),
	crashed: z.number(),
});

/** Counts the rows stored in `target`. */
export async function storedRows(target: DatabaseTarget): Promise<StoredRows> {
	const database = await openDatabase(target);
	try {
		return await database.pool.one(sql.type(counts)`
			SELECT
				count(*) FILTER (WHERE error_kind IS DISTINCT FROM 'skipped') AS checks,
				count(*) AS rows,
				count(DISTINCT (website_fk, scheduled_at)) AS keys,
				count(*) FILTER (WHERE error_message = 'aborted') AS aborted,
				count(*) FILTER (WHERE http_status_code = 200 AND url_uq LIKE '%/held/%') AS "heldAnswered",
				count(*) FILTER (WHERE (error_message = 'aborted' OR error_kind = 'worker_crash') AND url_uq LIKE '%/held/%') AS "heldForced",
				count(*) FILTER (WHERE sent_at IS NOT NULL) AS asked,
				count(*) FILTER (WHERE error_message = 'aborted' AND sent_at IS NULL) AS "abortedUnsent",
				count(*) FILTER (WHERE error_kind = 'worker_crash') AS crashed
			FROM healthcheck JOIN website ON website_id = website_fk
		`);
	} finally {
		await database.close();
	}
}

/**
Rows = checks made: each request the sites saw is one row, no slot has two, and every other check's
row is one that a forced stop aborted before its request left (a check a worker started as the stop
reached it: made, but never seen by the site). A worker a forced stop had to terminate (it did not
report within the margin, as can happen on a loaded machine) leaves `worker_crash` rows, whose
requests may or may not have left: then the count is a range, exact again when there are none.
*/
export function assertOneRowPerRequest(t: ExecutionContext, stored: StoredRows, seen: number): void {
	if (stored.crashed > 0) {
		t.log(`${stored.crashed} worker_crash rows (a worker was terminated)`);
	}

	t.true(stored.asked <= seen && seen <= stored.asked + stored.crashed, `every request the sites saw is one row: ${seen} seen, ${stored.asked} rows of requests sent, ${stored.crashed} worker_crash`);
	t.is(stored.checks, stored.asked + stored.abortedUnsent + stored.crashed, 'every other check was aborted before its request left');
	t.is(stored.keys, stored.rows, 'none twice');
}

/** Polls `predicate` every 50 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
	await waitFor(predicate, timeoutMs, {everyMs: 50, what});
}

/** The latest slot (epoch ms) of any intact line in the journal segments under `directory`; 0 when there is none. */
export async function latestJournaledSlot(directory: string): Promise<number> {
	let latest = 0;
	const entries = await readdir(directory, {recursive: true, withFileTypes: true}).catch(() => []);
	for (const entry of entries.filter(each => each.isFile() && each.name.endsWith('.ndjson'))) {
		const text = await readFile(path.join(entry.parentPath, entry.name)).catch(() => Buffer.alloc(0));
		let start = 0;
		for (let end = text.indexOf(10); end !== -1; start = end + 1, end = text.indexOf(10, start)) {
			const line = text.subarray(start, end);
			if (isIntactJournalLine(line)) {
				const {r} = JSON.parse(line.subarray(9).toString()) as {r: unknown[]};
				latest = Math.max(latest, Date.parse(String(r[6])));
			}
		}
	}

	return latest;
}

/**
Holds new requests, waits until every check the sites answered is kept by the CLI in `run`, then
SIGKILLs it: a kill that loses nothing answered, without guessing how long keeping takes.

Kept is read from the journal under `directory` by order, not by count (rows the database stored
before their turn to be written are never journaled, and their segment may be gone): the journal
writes rows in the order they came, each after every earlier one was written or stored. So once the
CLI has printed every answered check, a journal line for a later slot proves all of them kept.
*/
export async function killOnceKept(run: CliRun, sites: LoopbackSites, directory: string) {
	sites.hold();
	// Held from here on, so the number answered is final.
	const answered = sites.answered();
	const printedUp = () => run.output().stdout.match(/ UP {3}200 /g)?.length ?? 0;
	await waitUntil(() => printedUp() >= answered, 60_000, `the CLI printing ${answered} answered checks`);
	// Every answered check was handed to the writer before now; a row for a later slot came after them.
	const printedAt = Date.now();
	await waitForValue(async () => latestJournaledSlot(directory), latest => latest > printedAt, 60_000, {
		everyMs: 50,
		failure: latest => `no journal line for a slot after ${new Date(printedAt).toISOString()} (latest ${new Date(latest).toISOString()})`,
	});
	run.child.kill('SIGKILL');
	const result = await run.exited;
	sites.release();
	return result;
}
