import type {DatabasePool} from 'slonik';
import type {PauseStore} from '../engine/pause-store.js';
import {systemClock, type Clock, type SiteSpec} from '../engine/types.js';
import {DatabaseUnavailableError, InputError} from '../errors.js';
import {createBatchedResultWriter, type BatchedResultWriter, type BatchedResultWriterOptions} from './batched-result-writer.js';
import {openDurableRowQueue} from './durable-row-queue.js';
import {journalDirectoryFor, loadSiteCache, openJournalDirectory, type JournalDirectory} from './journal-directory.js';
import type {SiteDefinition} from './journal-record.js';
import {dropTables, migrate} from './migrations.js';
import {openDatabase, type Database} from './open-database.js';
import {cacheSites, saveSoon} from './site-cache-saving.js';
import {sitesBesideInitdb, type PreparedPglite} from './prepare-pglite.js';
import {createSitePauses} from './site-pauses.js';
import {loadSites, upsertSites, type SiteInput} from './sites-repository.js';
import type {DatabaseTarget} from './types.js';

/** What the monitor tells storage at start-up. */
export type MonitorStorageOptions = {
	readonly target: DatabaseTarget;
	/** `--data-dir` or its default: a server's journal lives under it. */
	readonly dataDir: string;
	/**
	The sites file's rows: distinct URLs (`readSitesCsv` refuses a URL listed twice). While a promise
	is pending, a new PGlite directory is built beside it (see `sitesBesideInitdb`).
	*/
	readonly csvSites?: readonly SiteInput[] | Promise<readonly SiteInput[]> | undefined;
	readonly sitesTable: boolean;
	readonly dropTables: boolean;
	readonly log: (line: string) => void;
	/** `--memory-max-results`: see `DurableRowQueueOptions.maxMemoryRows`. */
	readonly maxMemoryRows?: number | undefined;
	/** `--journal-max-mb`, in bytes: see `DurableRowQueueOptions.maxJournalBytes`. */
	readonly maxJournalBytes?: number | undefined;
	/** Writer tuning (tests). */
	readonly writer?: Partial<Pick<BatchedResultWriterOptions, 'maxBatchRows' | 'maxBatchAgeMs' | 'retryInitialMs' | 'retryMaxMs'>>;
	/** Time for the writer (batch age, retries) and for closing; default the system's. */
	readonly clock?: Clock;
};

/** The database side of a run: its sites, its writer and, once reachable, its database. */
export type MonitorStorage = {
	/** The sites to monitor. When the run started without its database their ids are provisional (negative). */
	readonly sites: SiteSpec[];
	readonly writer: BatchedResultWriter;
	/** True when the database was unreachable at start-up. */
	readonly startedWithoutDatabase: boolean;
	/** The open database, or undefined while it has not been reached. */
	database(): Database | undefined;
	/**
	The database's pool for the front ends (recent checks, pause flags). Until a run that started
	without its database reaches it, every query fails with `DatabaseUnavailableError`.
	*/
	readonly pool: DatabasePool;
	/**
	The monitor's pause store: writes the paused flags it changed to `website.paused`, provisional ids
	included; before the database is reached they wait and are stored once it is ('deferred').
	*/
	readonly storePauses: PauseStore;
	/** Where storage's own messages (database lost, database back) go from now on, e.g. a UI's log. */
	setLog(log: (line: string) => void): void;
	/** Closes the writer (if still open) and the database. `force` does not wait for a server. */
	close(options?: {force?: boolean}): Promise<void>;
};

function deferred() {
	let resolve!: () => void;
	const promise = new Promise<void>(done => {
		resolve = done;
	});
	return {promise, resolve};
}

/**
Opens the journal and the database, migrates, loads or upserts the sites and creates the writer.
A PostgreSQL server that cannot be reached is not fatal: the run starts with provisional site ids
(from the CSV, or the site list cached at the last start that reached it), journals every result,
and migrates, stores the sites and replays the journal once the server answers. Fatal (exit 2):
bad input, a PGlite directory that cannot be opened, `--drop-tables` without a database, and
`--sites-table` without a database or a cached list. Resolves undefined when `--drop-tables` was
the whole job.
*/
export async function openMonitorStorage(options: MonitorStorageOptions): Promise<MonitorStorage | undefined> {
	const {prepared, csvSites} = await sitesBesideInitdb(options.target, options.csvSites);
	return openStorage({...options, csvSites}, prepared);
}

/** `MonitorStorageOptions` once the sites file is read. */
type StorageOptions = Omit<MonitorStorageOptions, 'csvSites'> & {readonly csvSites?: readonly SiteInput[] | undefined};

async function openStorage(options: StorageOptions, prepared: PreparedPglite | undefined): Promise<MonitorStorage | undefined> {
	const {target} = options;
	let logTo = options.log;
	const log = (line: string) => {
		logTo(line);
	};

	const journalPath = journalDirectoryFor(target, options.dataDir);
	// A server's journal is locked before anything else; PGlite's lives inside its (locked) directory.
	let journal = target.kind === 'postgres' ? await openJournalDirectory(journalPath, target.describe) : undefined;
	let database: Database | undefined;
	let unreachable: DatabaseUnavailableError | undefined;
	try {
		database = await openDatabase(target, {prepared});
		journal ??= await openJournalDirectory(journalPath, target.describe);
	} catch (error) {
		if (!(error instanceof DatabaseUnavailableError) || target.kind !== 'postgres' || options.dropTables) {
			await journal?.release({removeIfEmpty: true});
			await database?.close();
			throw error;
		}

		unreachable = error;
	}

	let queue;
	try {
		queue = await openDurableRowQueue({directory: journal, maxMemoryRows: options.maxMemoryRows, maxJournalBytes: options.maxJournalBytes, warn: log});
	} catch (error) {
		await journal?.release();
		await database?.close();
		throw error;
	}

	if (queue.size > 0) {
		log(`journal ${journalPath}: ${queue.size} results left by an earlier run; they are stored before new ones`);
	}

	const gate = deferred();
	const pauses = createSitePauses();
	let closed = false;
	let sites: SiteSpec[] = [];
	let saveSiteList: (() => Promise<void>) | undefined;
	const definitions = new Map<string, SiteDefinition>();
	const clock = options.clock ?? systemClock;
	const writer = createBatchedResultWriter({
		...options.writer,
		clock,
		queue,
		notify: log,
		siteDefinitions: definitions,
		// The site list goes into the journal's directory, which closing the journal may remove.
		beforeClose: async () => saveSiteList?.(),
		...(database
			? {pool: database.pool, prepare: async () => gate.promise}
			: {
				initialError: unreachable,
				async connect() {
					const opened = await openDatabase(target);
					if (closed) {
						// The run ended while this attempt was under way.
						await opened.close();
						throw new DatabaseUnavailableError('closed');
					}

					database = opened;
					return opened.pool;
				},
				async prepare(pool) {
					await migrate(pool);
					const stored = options.csvSites ? await upsertSites(pool, options.csvSites, {distinctUrls: true}) : await loadSites(pool);
					writer.rememberSites(stored);
					await pauses.reached(pool);
					await cacheSites(journal, stored, log);
					log(`database ${target.describe} reachable: schema ready, ${stored.length} sites stored`);
				},
			}),
	});

	const close = async (closeOptions: {force?: boolean} = {}) => {
		closed = true;
		await writer.close({timeoutMs: 0});
		const opened = database;
		if (opened) {
			// A forced stop does not wait for a server that may be gone; PGlite is closed properly.
			let timer: unknown;
			await (closeOptions.force && opened.kind === 'postgres'
				? Promise.race([opened.close(), new Promise<void>(resolve => {
					timer = clock.setTimer(resolve, 200);
				})])
				: opened.close());
			clock.clearTimer(timer);
		}
	};

	try {
		if (database) {
			sites = await startWithDatabase(database, options, queue.size > 0, async () => {
				gate.resolve();
				await writer.flush();
			});
		} else {
			sites = await startWithoutDatabase(options, journal, unreachable!);
			for (const site of sites) {
				definitions.set(site.url, {intervalSeconds: site.intervalSeconds, regex: site.regex ?? null});
			}
		}
	} catch (error) {
		await close();
		throw error;
	}

	if (options.dropTables && !options.csvSites && !options.sitesTable) {
		await close();
		return undefined;
	}

	if (database) {
		// Rows of this run carry their sites' ids; only journal rows of earlier runs are looked up by URL.
		await pauses.reached(database.pool);
		if (target.kind === 'postgres') {
			saveSiteList = saveSoon(clock, async () => cacheSites(journal, sites, log));
		}
	}

	gate.resolve();
	return {
		sites,
		writer,
		startedWithoutDatabase: unreachable !== undefined,
		database: () => database,
		pool: lazyPool(() => database?.pool, target.describe),
		storePauses: pauses.set,
		setLog(next) {
			logTo = next;
		},
		close,
	};
}

/** A pool that forwards to the real one once it exists (the front ends get it before the database may be up). */
function lazyPool(current: () => DatabasePool | undefined, describe: string): DatabasePool {
	return new Proxy({} as DatabasePool, {
		get(_target, key) {
			const pool = current();
			if (!pool) {
				return async () => {
					throw new DatabaseUnavailableError(`the database ${describe} has not been reached yet`);
				};
			}

			const value: unknown = Reflect.get(pool, key);
			return typeof value === 'function' ? (value as (...arguments_: unknown[]) => unknown).bind(pool) : value;
		},
	});
}

async function startWithDatabase(
	database: Database,
	options: StorageOptions,
	hasLeftover: boolean,
	replayLeftover: () => Promise<void>,
): Promise<SiteSpec[]> {
	const {log, target} = options;
	if (options.dropTables) {
		if (hasLeftover) {
			// "Replayed before anything else": those results were taken before the user's drop.
			await migrate(database.pool);
			await replayLeftover();
		}

		const dropped = await dropTables(database.pool);
		log(dropped.length > 0 ? `dropped tables: ${dropped.join(', ')}` : 'no tables to drop');
		if (!options.csvSites && !options.sitesTable) {
			return [];
		}
	}

	const {applied} = await migrate(database.pool);
	if (applied.length > 0) {
		log(`database ${target.describe}: applied migrations ${applied.join(', ')}`);
	}

	if (options.csvSites) {
		return upsertSites(database.pool, options.csvSites, {distinctUrls: true});
	}

	const sites = await loadSites(database.pool);
	if (sites.length === 0) {
		throw new InputError(`no sites in table website of ${target.describe}; load some with --sites-csv FILE`);
	}

	return sites;
}

async function startWithoutDatabase(
	options: StorageOptions,
	journal: JournalDirectory | undefined,
	unreachable: DatabaseUnavailableError,
): Promise<SiteSpec[]> {
	let sites: SiteSpec[];
	if (options.csvSites) {
		// A URL listed twice is one site, with its last interval and regex (as upsertSites does).
		const byUrl = new Map(options.csvSites.map(site => [site.url, site]));
		sites = [...byUrl.values()].map((site, index) => ({...site, id: -(index + 1)}));
	} else {
		const cache = journal ? await loadSiteCache(journal.path) : undefined;
		if (!cache || cache.sites.length === 0) {
			throw new DatabaseUnavailableError(
				`${unreachable.message}; --sites-table needs it, and no site list is cached in ${journal?.path} `
				+ '(one is saved at every start that reaches the database)',
				{cause: unreachable},
			);
		}

		options.log(`using the ${cache.sites.length} sites cached at ${cache.savedAt}`);
		sites = cache.sites.map((site, index) => ({...site, id: -(index + 1)}));
	}

	options.log(`${unreachable.message}. Monitoring anyway: results are journaled in ${journal?.path} `
		+ 'and stored when the database is reachable');
	return sites;
}
