import type {Writable} from 'node:stream';
import {loadDbConfig, pgliteTarget, readSitesCsv, targetFromDatabaseUrl, defaultDataDir} from './config/index.js';
import type {SiteSpec} from './engine/types.js';
import {InputError} from './errors.js';
import {startHeadlessPrinter} from './headless/headless-printer.js';
import {createProcessSignals} from './process-signals.js';
import {
	createBatchedResultWriter, dropTables, loadSites, migrate, openDatabase, upsertSites,
} from './storage/index.js';
import type {DatabaseTarget} from './storage/types.js';
import {createMonitor} from './workers/create-monitor.js';

/** Everything the CLI decided; the monitor itself never reads flags or the environment. */
export type MonitorOptions = {
	readonly sitesCsv?: string | undefined;
	readonly sitesTable: boolean;
	readonly dbConfig?: string | undefined;
	readonly databaseUrl?: string | undefined;
	readonly dataDir?: string | undefined;
	readonly dropTables: boolean;
	/** Checks per site; -1 = forever. */
	readonly numberHealthchecks: number;
	readonly timeoutSeconds: number;
	readonly maxConcurrency?: number | undefined;
	/** Shard workers for the engine; 0 runs it on the main thread. */
	readonly workers: number;
	readonly format: 'text' | 'ndjson';
	readonly stdout: Writable;
	readonly stderr: Writable;
	/** Summary period for the headless printer, ms. */
	readonly summaryEveryMs?: number;
	/** Where the process's signals come from (tests pass an EventEmitter). */
	readonly signals?: NodeJS.EventEmitter;
	readonly env?: NodeJS.ProcessEnv;
};

/** Chooses the database: --db-config, else DATABASE_URL, else embedded PGlite in the data directory. */
export async function resolveTarget(options: MonitorOptions): Promise<DatabaseTarget> {
	if (options.dbConfig) {
		return loadDbConfig(options.dbConfig);
	}

	if (options.databaseUrl) {
		return targetFromDatabaseUrl(options.databaseUrl);
	}

	return pgliteTarget(options.dataDir ?? defaultDataDir(options.env));
}

/**
Runs the monitor until `--number-healthchecks` is reached or a signal arrives; resolves with the exit
code. Input is validated before the database is touched, so bad input never changes stored data.
*/
export async function runMonitor(options: MonitorOptions): Promise<number> {
	const log = (line: string) => options.stderr.write(`webmon-tui: ${line}\n`);
	const csvSites = options.sitesCsv ? await readSitesCsv(options.sitesCsv) : undefined;
	const target = await resolveTarget(options);
	const database = await openDatabase(target);
	try {
		if (options.dropTables) {
			const dropped = await dropTables(database.pool);
			log(dropped.length > 0 ? `dropped tables: ${dropped.join(', ')}` : 'no tables to drop');
			if (!csvSites && !options.sitesTable) {
				return 0;
			}
		}

		const {applied} = await migrate(database.pool);
		if (applied.length > 0) {
			log(`database ${target.describe}: applied migrations ${applied.join(', ')}`);
		}

		let sites: SiteSpec[];
		if (csvSites) {
			sites = await upsertSites(database.pool, csvSites);
		} else {
			sites = await loadSites(database.pool);
			if (sites.length === 0) {
				throw new InputError(`no sites in table website of ${target.describe}; load some with --sites-csv FILE`);
			}
		}

		return await monitor(options, sites, database, target);
	} finally {
		await database.close();
	}
}

async function monitor(
	options: MonitorOptions,
	sites: SiteSpec[],
	database: Awaited<ReturnType<typeof openDatabase>>,
	target: DatabaseTarget,
): Promise<number> {
	const log = (line: string) => options.stderr.write(`webmon-tui: ${line}\n`);
	const timeoutMs = options.timeoutSeconds * 1000;
	const writer = createBatchedResultWriter({pool: database.pool});
	const processSignals = createProcessSignals();
	const engine = createMonitor({
		workers: options.workers,
		checksPerSite: options.numberHealthchecks,
		timeoutMs,
		maxConcurrency: options.maxConcurrency,
		prober: {totalTimeoutMs: timeoutMs},
		measure: processSignals.measure,
		warn: log,
	});
	engine.addSites(sites);
	engine.on('result', result => {
		writer.push(result);
	});
	const printer = startHeadlessPrinter({
		engine,
		format: options.format,
		stdout: options.stdout,
		stderr: options.stderr,
		summaryEveryMs: options.summaryEveryMs,
		writerStatus: () => writer.stats(),
	});

	const active = sites.filter(site => !site.paused).length;
	const runs = options.numberHealthchecks > 0 ? `${options.numberHealthchecks} checks each` : 'until stopped (Ctrl-C)';
	const threads = options.workers > 0 ? `${options.workers} worker${options.workers === 1 ? '' : 's'}` : 'main thread';
	log(`monitoring ${active} sites (${sites.length - active} paused) ${runs} on ${threads}; results to ${target.kind === 'pglite' ? '' : 'PostgreSQL '}${target.describe}`);

	const signals = options.signals ?? process;
	let forced = false;
	const stopped = new Promise<string>(resolve => {
		engine.once('done', () => {
			resolve('done');
		});
		const onSignal = (name: string) => {
			if (forced) {
				return;
			}

			if (stopping) {
				forced = true;
				engine.abortInFlight();
				log(`${name} again: aborting ${engine.inFlight} checks in flight`);
				return;
			}

			resolve(name);
		};

		signals.on('SIGINT', onSignal);
		signals.on('SIGTERM', onSignal);
	});
	let stopping = false;
	engine.start();
	const reason = await stopped;
	stopping = true;
	if (reason !== 'done') {
		log(`${reason}: stopping; waiting for ${engine.inFlight} checks in flight (at most ${options.timeoutSeconds} s), then storing results. Press Ctrl-C again to abort checks.`);
	}

	await engine.stop();
	printer.stop();
	const queued = writer.stats().queued;
	if (queued > 0) {
		log(`storing ${queued} queued results`);
	}

	await writer.close();
	await engine.close();
	processSignals.stop();
	const stats = writer.stats();
	printer.printSummary();
	log(`stopped: ${engine.snapshot().totals.completed + engine.snapshot().totals.skipped} results, ${stats.written} stored this run`);
	return 0;
}
