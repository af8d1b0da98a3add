import {randomBytes} from 'node:crypto';
import {mkdir, rm} from 'node:fs/promises';
import path from 'node:path';
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {sql} from 'slonik';
import {pgliteTarget, targetFromDatabaseUrl} from '../config/index.js';
import type {CheckResult} from '../engine/types.js';
import {createBatchedResultWriter} from '../storage/batched-result-writer.js';
import {createMemoryOnlyRowQueue, openDurableRowQueue} from '../storage/durable-row-queue.js';
import {openJournalDirectory} from '../storage/journal-directory.js';
import {migrate} from '../storage/migrations.js';
import {openDatabase, type Database} from '../storage/open-database.js';
import {countChecks, upsertSites} from '../storage/sites-repository.js';

/** One throughput measurement. */
export type ThroughputResult = {
	readonly backend: 'postgres' | 'pglite';
	/** Rows went through the write-ahead journal (as in the CLI), or waited in memory only. */
	readonly journal: boolean;
	readonly rows: number;
	readonly seconds: number;
	readonly rowsPerSecond: number;
	/** Event-loop delay during that burst (the producer's own work included), ms. */
	readonly burstLoopDelayP99Ms: number;
	/** Rows/s offered steadily in the second phase (a fleet's worth; the writer keeps up). */
	readonly pacedRowsPerSecond: number;
	/** Event-loop delay while rows arrive at that steady rate and are written, ms: what the engine feels. */
	readonly eventLoopDelayP99Ms: number;
	readonly eventLoopDelayMaxMs: number;
	readonly batches: number;
};

/** Pushes `rate` rows/s for `seconds`, 10 ms worth at a time, starting at result number `from`. */
async function pushPaced(push: (index: number) => void, from: number, rate: number, seconds: number): Promise<number> {
	const began = performance.now();
	let index = from;
	const end = from + (rate * seconds);
	while (index < end) {
		const due = from + Math.min(end - from, Math.floor((performance.now() - began) * rate / 1000));
		for (; index < due; index++) {
			push(index);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
	}

	return index;
}

const siteCount = 1000;
const startAt = Date.UTC(2026, 0, 1);

/** A fresh database: a new PGlite directory, or a new database on the server `serverUrl` names. */
async function freshDatabase(backend: 'postgres' | 'pglite', scratch: string, serverUrl?: string) {
	const name = `webmon_wbench_${randomBytes(5).toString('hex')}`;
	if (backend === 'pglite') {
		const dataDir = path.join(scratch, name);
		await mkdir(dataDir, {recursive: true});
		return {target: pgliteTarget(dataDir), dispose: async () => rm(dataDir, {recursive: true, force: true})};
	}

	const onServer = async (statement: ReturnType<typeof sql.unsafe>) => {
		const admin = await openDatabase(targetFromDatabaseUrl(serverUrl!), {maxPoolSize: 1});
		try {
			await admin.pool.query(statement);
		} finally {
			await admin.close();
		}
	};

	await onServer(sql.unsafe`CREATE DATABASE ${sql.identifier([name])}`);
	const url = new URL(serverUrl!);
	url.pathname = `/${name}`;
	return {
		target: targetFromDatabaseUrl(url.toString()),
		dispose: async () => onServer(sql.unsafe`DROP DATABASE IF EXISTS ${sql.identifier([name])} WITH (FORCE)`),
	};
}

/** A plausible result: mostly successes, every 20th a failure with a message. */
function resultFor(sites: ReadonlyArray<{id: number; url: string}>, index: number): CheckResult {
	const site = sites[index % sites.length]!;
	const scheduledAt = startAt + (Math.floor(index / sites.length) * 10_000);
	const failed = index % 20 === 0;
	return {
		siteId: site.id,
		url: site.url,
		scheduledAt,
		requestedAt: scheduledAt + 3,
		httpStatusCode: failed ? 598 : 200,
		responseTimeMs: 20 + (index % 400),
		regexMatchStatus: 2,
		...(failed && {errorKind: 'headers_timeout' as const, errorMessage: 'no response headers within 10 s'}),
	};
}

async function nextTurn(): Promise<void> {
	await new Promise(resolve => {
		setImmediate(resolve);
	});
}

/**
Two phases on one writer. Burst: `rows` results pushed as fast as a producer can (2,000 per
event-loop turn); rows/s is how fast the writer stores them. Paced: `pacedRowsPerSecond` for 5 s, the
steady stream of a large fleet; the event-loop delay then is what the writer costs the engine.
*/
export async function measureThroughput(options: {
	readonly backend: 'postgres' | 'pglite';
	readonly journal: boolean;
	readonly rows: number;
	/** Steady rate of the second phase (5 s). */
	readonly pacedRowsPerSecond: number;
	readonly scratch: string;
	readonly serverUrl?: string | undefined;
}): Promise<ThroughputResult> {
	const fresh = await freshDatabase(options.backend, options.scratch, options.serverUrl);
	let database: Database | undefined;
	const journalPath = path.join(options.scratch, `journal-${randomBytes(4).toString('hex')}`);
	try {
		database = await openDatabase(fresh.target);
		await migrate(database.pool);
		const sites = await upsertSites(database.pool, Array.from({length: siteCount}, (_, index) => ({
			url: `https://bench-${index}.example:443/health`,
			intervalSeconds: 10,
		})));
		const queue = options.journal
			? await openDurableRowQueue({directory: await openJournalDirectory(journalPath, 'writer benchmark')})
			: createMemoryOnlyRowQueue();
		const writer = createBatchedResultWriter({pool: database.pool, queue});
		const push = (index: number) => {
			writer.push(resultFor(sites, index));
		};

		// The histogram counts its own sampling resolution as delay.
		const ms = (nanoseconds: number) => Math.max(0, Math.round(((nanoseconds / 1e6) - 5) * 10) / 10);
		const burst = monitorEventLoopDelay({resolution: 5});
		burst.enable();
		const began = performance.now();
		for (let index = 0; index < options.rows; index++) {
			push(index);
			if (index % 2000 === 1999) {
				await nextTurn();
			}
		}

		await writer.flush();
		const seconds = (performance.now() - began) / 1000;
		burst.disable();

		const paced = monitorEventLoopDelay({resolution: 5});
		paced.enable();
		const end = await pushPaced(push, options.rows, options.pacedRowsPerSecond, 5);
		await writer.close();
		paced.disable();
		const stored = await countChecks(database.pool);
		if (stored !== end) {
			throw new Error(`${options.backend}: ${stored} rows stored of ${end}`);
		}

		return {
			backend: options.backend,
			journal: options.journal,
			rows: options.rows,
			seconds: Math.round(seconds * 100) / 100,
			rowsPerSecond: Math.round(options.rows / seconds),
			burstLoopDelayP99Ms: ms(burst.percentile(99)),
			pacedRowsPerSecond: options.pacedRowsPerSecond,
			eventLoopDelayP99Ms: ms(paced.percentile(99)),
			eventLoopDelayMaxMs: ms(paced.max),
			batches: writer.stats().batches,
		};
	} finally {
		await database?.close();
		await fresh.dispose();
		await rm(journalPath, {recursive: true, force: true});
	}
}
