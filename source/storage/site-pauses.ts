import type {DatabasePool} from 'slonik';
import type {PausedSite, PauseStore} from '../engine/pause-store.js';
import {setPaused, setPausedByUrl} from './sites-repository.js';

/**
How `website.paused` follows the monitor's pauses. The monitor owns the pause; this only writes down
what it changed, in the order it changed it.
*/
export type SitePauses = {
	/**
	Stores the paused flag of `sites` (the monitor's `PauseStore`). A site the database has not
	numbered yet (a run that started without its database gives provisional ids, <= 0) is matched on
	its URL: its provisional id names no row. Before the database is reached the flags wait and are
	stored once it is ('deferred'); a run that ends first keeps them for itself only.
	*/
	readonly set: PauseStore;
	/**
	The database holds the run's sites now: stores the waiting flags, and from then on `set` stores at
	once. Throws (keeping what it could not store) when the database fails meanwhile.
	*/
	reached(pool: DatabasePool): Promise<void>;
};

/** Creates the pauses of one run, before its database is reached. */
export function createSitePauses(): SitePauses {
	let database: DatabasePool | undefined;
	/**
	Writes not made yet while the database has not been reached: the monitor's latest change per URL,
	as a journal holds results, not a second record of the pause.
	*/
	const waiting = new Map<string, boolean>();
	/**
	The last write. Each waits for it: two writes on two pool connections could commit in either
	order, and a pause followed at once by its resume must not end up stored as paused.
	*/
	let lastWrite: Promise<unknown> = Promise.resolve();

	const store = async (pool: DatabasePool, byUrl: ReadonlyArray<[string, boolean]>) => {
		const urls = (paused: boolean) => byUrl.filter(([, value]) => value === paused).map(([url]) => url);
		await setPausedByUrl(pool, urls(true), true);
		await setPausedByUrl(pool, urls(false), false);
	};

	const reached = async (pool: DatabasePool): Promise<void> => {
		if (waiting.size === 0) {
			database = pool;
			return;
		}

		const batch = [...waiting];
		waiting.clear();
		try {
			await store(pool, batch);
		} catch (error) {
			for (const [url, paused] of batch) {
				if (!waiting.has(url)) {
					waiting.set(url, paused);
				}
			}

			throw error;
		}

		// Flags set while that ran are stored by another round.
		await reached(pool);
	};

	const write = async (pool: DatabasePool, sites: readonly PausedSite[], paused: boolean) => {
		await setPaused(pool, sites.filter(site => site.id >= 1).map(site => site.id), paused);
		await setPausedByUrl(pool, sites.filter(site => site.id < 1).map(site => site.url), paused);
		return 'stored' as const;
	};

	return {
		async set(sites, paused) {
			if (!database) {
				for (const site of sites) {
					waiting.set(site.url, paused);
				}

				return 'deferred';
			}

			const pool = database;
			const written = lastWrite.then(async () => write(pool, sites, paused));
			lastWrite = written.catch(() => undefined);
			return written;
		},
		reached,
	};
}
