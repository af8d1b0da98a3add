import type {DatabasePool} from 'slonik';
import {setPaused, setPausedByUrl} from './sites-repository.js';

/** Where a pause went: into the database, or kept until the database is reached. */
export type PauseOutcome = 'stored' | 'deferred';

/** The paused flags the user sets during a run, stored in `website.paused`. */
export type SitePauses = {
	/**
	Stores the paused flag of `sites`. A site the database has not numbered yet (a run that started
	without its database gives provisional ids, <= 0) is matched on its URL: its provisional id names
	no row. Before the database is reached the flags are kept and stored once it is ('deferred');
	a run that ends first keeps them for itself only.
	*/
	set(sites: ReadonlyArray<{readonly id: number; readonly url: string}>, paused: boolean): Promise<PauseOutcome>;
	/**
	The database holds the run's sites now: stores the kept flags, and from then on `set` stores at
	once. Throws (keeping what it could not store) when the database fails meanwhile.
	*/
	reached(pool: DatabasePool): Promise<void>;
};

/** Creates the pauses of one run, before its database is reached. */
export function createSitePauses(): SitePauses {
	let database: DatabasePool | undefined;
	/** URL -> paused, the latest choice per site, while the database has not been reached. */
	const kept = new Map<string, boolean>();

	const store = async (pool: DatabasePool, byUrl: ReadonlyArray<[string, boolean]>) => {
		const urls = (paused: boolean) => byUrl.filter(([, value]) => value === paused).map(([url]) => url);
		await setPausedByUrl(pool, urls(true), true);
		await setPausedByUrl(pool, urls(false), false);
	};

	const reached = async (pool: DatabasePool): Promise<void> => {
		if (kept.size === 0) {
			database = pool;
			return;
		}

		const batch = [...kept];
		kept.clear();
		try {
			await store(pool, batch);
		} catch (error) {
			for (const [url, paused] of batch) {
				if (!kept.has(url)) {
					kept.set(url, paused);
				}
			}

			throw error;
		}

		// Flags set while that ran are stored by another round.
		await reached(pool);
	};

	return {
		async set(sites, paused) {
			if (!database) {
				for (const site of sites) {
					kept.set(site.url, paused);
				}

				return 'deferred';
			}

			await setPaused(database, sites.filter(site => site.id >= 1).map(site => site.id), paused);
			await setPausedByUrl(database, sites.filter(site => site.id < 1).map(site => site.url), paused);
			return 'stored';
		},
		reached,
	};
}
