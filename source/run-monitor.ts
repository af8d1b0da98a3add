import {availableParallelism} from 'node:os';
import type {Writable} from 'node:stream';
import {loadDbConfig, pgliteTarget, readSitesCsv, targetFromDatabaseUrl, defaultDataDir} from './config/index.js';
import type {EngineTotals, ProcessSignals} from './engine/engine-types.js';
import {systemClock, type Clock} from './engine/types.js';
import {startFrontEnd, type FrontEnd} from './front-end.js';
import {checksInFlightBudget} from './open-files.js';
import {createProcessSignals} from './process-signals.js';
import {forcedStop} from './shutdown/forced-stop.js';
import {gracefulStop, stopAnnouncement, stopProgress} from './shutdown/graceful-stop.js';
import {createShutdownController, type ShutdownController} from './shutdown/shutdown-controller.js';
import {listenForStopSignals} from './shutdown/stop-signals.js';
import {forcedStopKeeps, holdWhileFull, openMonitorStorage, type MonitorStorage} from './storage/index.js';
import type {DatabaseTarget} from './storage/types.js';
import {createMonitor, type RunningMonitor} from './workers/create-monitor.js';
import {defaultWorkers} from './workers/default-workers.js';

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
	/** Shard workers for the engine; 0 runs it on the main thread; undefined chooses from the fleet (`defaultWorkers`). */
	readonly workers?: number | undefined;
	/** `--journal-max-mb`: bound on the journal's size (default `defaultMaxJournalBytes`). */
	readonly journalMaxMb?: number | undefined;
	/** `--memory-max-results`: results kept in memory only while the journal cannot take them (default `defaultMaxMemoryRows`). */
	readonly memoryMaxResults?: number | undefined;
	readonly format: 'text' | 'ndjson';
	/** The Ink UI (true) or the headless printer; decided once by the entry point. */
	readonly interactive?: boolean;
	/** Said on stderr once the run starts: why the UI the user expected is not shown (`TERM=dumb`). */
	readonly frontEndNotice?: string | undefined;
	readonly stdout: Writable;
	readonly stderr: Writable;
	/** Summary period for the headless printer, ms. */
	readonly summaryEveryMs?: number;
	/** Where the process's signals come from (tests pass an EventEmitter). */
	readonly signals?: NodeJS.EventEmitter;
	readonly env?: NodeJS.ProcessEnv;
	/**
	Time for storage and the stop: the writer's batches and retries, the drain's stall and progress
	lines, the forced stop's bound. Default the system's; the checks keep their own.
	*/
	readonly clock?: Clock;
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
Runs the monitor until `--number-healthchecks` is reached or something asks it to stop (a signal,
`q`, a closed stdout or terminal: see shutdown/); resolves with the exit code. Input is validated
before the database is touched, so bad input never changes stored data.
*/
export async function runMonitor(options: MonitorOptions): Promise<number> {
	const log = stderrLog(options.stderr);
	// Read while storage builds a new PGlite directory beside it (openMonitorStorage awaits it).
	const csvSites = options.sitesCsv ? readSitesCsv(options.sitesCsv, {encoding: options.csvEncoding}) : undefined;
	let target: DatabaseTarget;
	try {
		target = await resolveTarget(options);
	} catch (error) {
		// A bad sites file is reported first, as when it was read before the database settings.
		await csvSites;
		throw error;
	}

	// --- storage: journal, database (reachable or not), migrations, sites, writer (storage/monitor-storage.ts)
	const storage = await openMonitorStorage({
		target,
		dataDir: options.dataDir ?? defaultDataDir(options.env),
		csvSites,
		sitesTable: options.sitesTable,
		dropTables: options.dropTables,
		log,
		maxJournalBytes: options.journalMaxMb === undefined ? undefined : options.journalMaxMb * 1024 * 1024,
		maxMemoryRows: options.memoryMaxResults,
		clock: options.clock,
	});
	if (!storage) {
		return 0;
	}

	const shutdown = createShutdownController();
	try {
		return await monitor(options, storage, target, shutdown);
	} finally {
		await storage.close({force: shutdown.forced !== undefined});
	}
	// --- end storage
}

/**
The run, in steps: start the checks and a front end, wait for the first request to stop, then end
gracefully unless a second request forces the end.
*/
async function monitor(options: MonitorOptions, storage: MonitorStorage, target: DatabaseTarget, shutdown: ShutdownController): Promise<number> {
	// Lines go to stderr until the front end exists, then through it (the UI holds them while it draws).
	const messages = {log: stderrLog(options.stderr)};
	const log = (line: string) => {
		messages.log(line);
	};

	const processSignals = createProcessSignals();
	const workers = options.workers ?? defaultWorkers(storage.sites, availableParallelism());
	const engine = await startChecks({...options, workers}, storage, processSignals.measure, log);
	log(startLine(workers, options, engine.snapshot().totals, target));
	if (options.frontEndNotice) {
		log(options.frontEndNotice);
	}

	const frontEnd = await openFrontEnd({...options, workers}, storage, engine, shutdown);
	messages.log = frontEnd.log;
	storage.setLog(frontEnd.log);
	const stopListening = listenForStopSignals(options.signals ?? process, shutdown);
	engine.once('done', () => {
		shutdown.request({kind: 'done'});
	});
	engine.start();

	const cause = await shutdown.stopRequested;
	const announcement = stopAnnouncement(cause, engine.inFlight, options.timeoutSeconds, forcedStopKeeps(storage.writer.stats()));
	if (announcement) {
		log(announcement);
	}

	const code = await stop({engine, storage, shutdown, timeoutMs: options.timeoutSeconds * 1000, log, clock: options.clock ?? systemClock});
	stopListening();
	processSignals.stop();
	await frontEnd.close();
	return code;
}

/** What the end of a run works on. */
type StopOptions = {
	readonly engine: RunningMonitor;
	readonly storage: MonitorStorage;
	readonly shutdown: ShutdownController;
	/** The deadline of one check, ms. */
	readonly timeoutMs: number;
	readonly log: (line: string) => void;
	readonly clock: Clock;
};

/** The graceful stop, raced against a forced one; resolves with the exit code of whichever ended the run. */
async function stop({engine, storage, shutdown, timeoutMs, log, clock}: StopOptions): Promise<number> {
	const {writer} = storage;
	const forced = shutdown.forceRequested.then(async force => forcedStop({engine, writer, force, timeoutMs, log, clock}));
	const graceful = await Promise.race([gracefulStop({engine, writer, shutdown, log, clock}), forced]);
	if (graceful === undefined || shutdown.forced) {
		// A second request took over: its exit code and its message stand.
		return forced;
	}

	shutdown.finish();
	await engine.close();
	const {totals} = engine.snapshot();
	log(`stopped: ${totals.completed + totals.skipped} results, ${writer.stats().written} stored this run`);
	return graceful;
}

/** The UI or the headless printer over `engine`; what the user does there goes to `shutdown`. */
async function openFrontEnd(options: MonitorOptions & {workers: number}, storage: MonitorStorage, engine: RunningMonitor, shutdown: ShutdownController): Promise<FrontEnd> {
	const {writer} = storage;
	return startFrontEnd({
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
			shutdown.request({kind: 'quit'});
		},
		onForceQuit() {
			shutdown.force({signal: 'SIGINT', label: 'Ctrl-C again'});
		},
		onOutputLost(stream, code) {
			shutdown.request({kind: 'output-lost', stream, code});
		},
		shutdownProgress: () => stopProgress(engine, writer, shutdown),
	});
}

/** Creates the engine (in-process or sharded) over the stored sites; every result goes to the writer. */
async function startChecks(options: MonitorOptions & {workers: number}, storage: MonitorStorage, measure: () => ProcessSignals, log: (line: string) => void): Promise<RunningMonitor> {
	const timeoutMs = options.timeoutSeconds * 1000;
	const engine = await createMonitor({
		workers: options.workers,
		checksPerSite: options.numberHealthchecks,
		timeoutMs,
		maxConcurrency: options.maxConcurrency,
		// Each check holds a socket until it ends, those waiting on silent servers too.
		maxInFlight: checksInFlightBudget().checks,
		maxPerHost: options.maxPerHost,
		prober: {totalTimeoutMs: timeoutMs},
		measure,
		warn: log,
		// The monitor owns the sites' pauses; storage writes down each change it makes.
		pauseStore: storage.storePauses,
		// The headless printer shows totals only: no site views cross threads for it.
		siteViews: options.interactive ?? false,
	});
	engine.addSites(storage.sites);
	engine.on('result', result => {
		storage.writer.push(result);
	});
	// --- storage: checks hold while no more results can be kept (storage/hold-while-full.ts)
	holdWhileFull(storage.writer, engine, log);
	return engine;
}

/** `monitoring 40 sites (0 paused) until stopped (Ctrl-C) on 2 workers; results to PGlite at ...` */
function startLine(workers: number, options: MonitorOptions, totals: EngineTotals, target: DatabaseTarget): string {
	const active = totals.sites - totals.paused;
	const runs = options.numberHealthchecks > 0 ? `${options.numberHealthchecks} checks each` : 'until stopped (Ctrl-C)';
	const threads = workers > 0 ? `${workers} worker${workers === 1 ? '' : 's'}` : 'main thread';
	return `monitoring ${active} sites (${totals.paused} paused) ${runs} on ${threads}; results to ${target.kind === 'pglite' ? '' : 'PostgreSQL '}${target.describe}`;
}

/** A message for the user on `stderr`, as every line of the CLI starts. */
function stderrLog(stderr: Writable): (line: string) => void {
	return line => {
		stderr.write(`webmon-tui: ${line}\n`);
	};
}
