import type {Writable} from 'node:stream';
import {loadDbConfig, pgliteTarget, readSitesCsv, targetFromDatabaseUrl, defaultDataDir} from './config/index.js';
import {startFrontEnd} from './front-end.js';
import {createProcessSignals} from './process-signals.js';
import {drainProgress, drainWriter, openMonitorStorage, type MonitorStorage} from './storage/index.js';
import type {DatabaseTarget} from './storage/types.js';
import {createMonitor} from './workers/create-monitor.js';

/** Everything the CLI decided; the monitor itself never reads flags or the environment. */
export type MonitorOptions = {
	readonly sitesCsv?: string | undefined;
	/** `--csv-encoding`: a WHATWG encoding label; default UTF-8. */
	readonly csvEncoding?: string | undefined;
	readonly sitesTable: boolean;
	readonly dbConfig?: string | undefined;
	readonly databaseUrl?: string | undefined;
	readonly dataDir?: string | undefined;
	readonly dropTables: boolean;
	/** Checks per site; -1 = forever. */
	readonly numberHealthchecks: number;
	readonly timeoutSeconds: number;
	readonly maxConcurrency?: number | undefined;
	/** `--max-per-host`: connections to one origin at once (default `defaultMaxPerHost`). */
	readonly maxPerHost?: number | undefined;
	/** Shard workers for the engine; 0 runs it on the main thread. */
	readonly workers: number;
	readonly format: 'text' | 'ndjson';
	/** The Ink UI (true) or the headless printer; decided once by the entry point. */
	readonly interactive?: boolean;
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
	const csvSites = options.sitesCsv ? await readSitesCsv(options.sitesCsv, {encoding: options.csvEncoding}) : undefined;
	const target = await resolveTarget(options);
	// --- storage: journal, database (reachable or not), migrations, sites, writer (storage/monitor-storage.ts)
	const storage = await openMonitorStorage({
		target,
		dataDir: options.dataDir ?? defaultDataDir(options.env),
		csvSites,
		sitesTable: options.sitesTable,
		dropTables: options.dropTables,
		log,
	});
	if (!storage) {
		return 0;
	}

	const outcome = {forced: false};
	try {
		return await monitor(options, storage, target, outcome);
	} finally {
		await storage.close({force: outcome.forced});
	}
	// --- end storage
}

async function monitor(
	options: MonitorOptions,
	storage: MonitorStorage,
	target: DatabaseTarget,
	outcome: {forced: boolean},
): Promise<number> {
	let log = (line: string): void => {
		options.stderr.write(`webmon-tui: ${line}\n`);
	};

	const timeoutMs = options.timeoutSeconds * 1000;
	const {sites, writer} = storage;
	const processSignals = createProcessSignals();
	const engine = createMonitor({
		workers: options.workers,
		checksPerSite: options.numberHealthchecks,
		timeoutMs,
		maxConcurrency: options.maxConcurrency,
		maxPerHost: options.maxPerHost,
		prober: {totalTimeoutMs: timeoutMs},
		measure: processSignals.measure,
		warn(line) {
			log(line);
		},
	});
	engine.addSites(sites);
	engine.on('result', result => {
		writer.push(result);
	});
	const active = sites.filter(site => !site.paused).length;
	const runs = options.numberHealthchecks > 0 ? `${options.numberHealthchecks} checks each` : 'until stopped (Ctrl-C)';
	const threads = options.workers > 0 ? `${options.workers} worker${options.workers === 1 ? '' : 's'}` : 'main thread';
	log(`monitoring ${active} sites (${sites.length - active} paused) ${runs} on ${threads}; results to ${target.kind === 'pglite' ? '' : 'PostgreSQL '}${target.describe}`);

	// Every way to stop ends here: the last check of --number-healthchecks, a signal, or q in the UI.
	// The first request drains; a second one aborts the checks in flight.
	let stopping = false;
	let forced = false;
	let requestStop: (reason: string) => void = () => undefined;
	const stopped = new Promise<string>(resolve => {
		requestStop = resolve;
	});
	// --- storage: a forced stop aborts the checks in flight, journals what is not stored and exits at once
	let exitNow: (code: number) => void = () => undefined;
	const forcedExit = new Promise<number>(resolve => {
		exitNow = resolve;
	});
	let checksStopped: Promise<void> | undefined;
	let frontEndClosed: Promise<void> | undefined;
	const closeFrontEnd = async () => {
		frontEndClosed ??= frontEnd.close();
		return frontEndClosed;
	};

	const force = (why: string) => {
		if (forced) {
			return;
		}

		forced = true;
		outcome.forced = true;
		const aborted = engine.inFlight;
		engine.abortInFlight();
		void (async () => {
			// Aborted checks resolve within moments, and each still ends as a (journaled) row.
			await Promise.race([checksStopped ?? engine.stop(), new Promise(resolve => {
				setTimeout(resolve, 1000);
			})]);
			const left = await writer.closeNow();
			frontEnd.log(`${why}: aborted ${aborted} checks in flight; ${left} results journaled in ${writer.journalDirectory ?? '(no journal)'}; they are stored at the next start`);
			await closeFrontEnd();
			exitNow(why.startsWith('SIGTERM') ? 143 : 130);
		})();
	};
	// --- end storage

	const onSignal = (name: string) => {
		if (stopping) {
			force(`${name} again`);
			return;
		}

		requestStop(name);
	};

	const frontEnd = startFrontEnd({
		interactive: options.interactive ?? false,
		monitor: engine,
		workers: options.workers,
		pool: storage.pool,
		writerStatus: () => writer.stats(),
		format: options.format,
		stdout: options.stdout,
		stderr: options.stderr,
		summaryEveryMs: options.summaryEveryMs,
		env: options.env ?? process.env,
		onQuit() {
			requestStop('quit');
		},
		onForceQuit() {
			force('Ctrl-C again');
		},
		shutdownProgress() {
			if (!stopping) {
				return undefined;
			}

			const {queued} = writer.stats();
			return engine.inFlight > 0
				? `stopping: ${engine.inFlight} checks in flight, ${queued} results to store (Ctrl-C again to abort checks)`
				: `stopping: ${drainProgress(writer.stats())}`;
		},
	});
	log = frontEnd.log;
	storage.setLog(frontEnd.log);
	const signals = options.signals ?? process;
	signals.on('SIGINT', onSignal);
	signals.on('SIGTERM', onSignal);
	engine.once('done', () => {
		requestStop('done');
	});
	engine.start();
	const reason = await stopped;
	stopping = true;
	if (reason !== 'done') {
		log(`${reason}: stopping; waiting for ${engine.inFlight} checks in flight (at most ${options.timeoutSeconds} s), then storing results. Press Ctrl-C again to stop at once (results not stored yet are journaled).`);
	}

	// --- storage: the drain, raced against a forced stop
	const graceful = (async () => {
		checksStopped = engine.stop();
		await checksStopped;
		const queued = writer.stats().queued;
		if (queued > 0) {
			log(`storing ${queued} queued results`);
		}

		const code = await drainWriter(writer, {log});
		if (outcome.forced) {
			// A second signal during the drain: its exit code and its message stand.
			return forcedExit;
		}

		await engine.close();
		processSignals.stop();
		signals.off('SIGINT', onSignal);
		signals.off('SIGTERM', onSignal);
		const stats = writer.stats();
		log(`stopped: ${engine.snapshot().totals.completed + engine.snapshot().totals.skipped} results, ${stats.written} stored this run`);
		await closeFrontEnd();
		return code;
	})();
	return Promise.race([graceful, forcedExit]);
	// --- end storage
}
