import {writeFile} from 'node:fs/promises';
import http, {type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {openDatabase} from '../../source/storage/open-database.js';
import type {DatabaseTarget} from '../../source/storage/types.js';
import {sql} from 'slonik';
import {z} from 'zod';

/**
Loopback sites that count what they see. `seen` counts requests as they arrive; `answered` counts
responses sent. While `hold()` is on, new requests are parked unanswered (and not counted as
answered): a test that then kills the monitor with SIGKILL knows exactly which checks completed.
*/
export type LoopbackSites = {
	/** `http://127.0.0.1:<port>/site/<i>`; `/slow/<i>` paths answer after `slowMs`. */
	readonly base: string;
	seen(): number;
	answered(): number;
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
};

const counts = z.object({checks: z.number(), rows: z.number(), keys: z.number(), aborted: z.number()});

/** Counts the rows stored in `target`. */
export async function storedRows(target: DatabaseTarget): Promise<StoredRows> {
	const database = await openDatabase(target);
	try {
		return await database.pool.one(sql.type(counts)`
			SELECT
				count(*) FILTER (WHERE error_kind IS DISTINCT FROM 'skipped') AS checks,
				count(*) AS rows,
				count(DISTINCT (website_fk, scheduled_at)) AS keys,
				count(*) FILTER (WHERE error_message = 'aborted') AS aborted
			FROM healthcheck
		`);
	} finally {
		await database.close();
	}
}

/** Resolves after `ms`. */
export async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}

/** Polls `predicate` every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		// eslint-disable-next-line no-await-in-loop
		await sleep(50);
	}
}
