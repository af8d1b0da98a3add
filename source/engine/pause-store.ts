/**
Where a pause or resume was kept beyond the monitor: `stored` (it survives a restart), `deferred`
(storage keeps it until its database is reached, then stores it), or `run-only` (the monitor has no
pause store, as in tests and in shard workers, whose main thread stores).
*/
export type PauseOutcome = 'stored' | 'deferred' | 'run-only';

/** A site as a pause store needs it: ids the database has not given yet (<= 0) are matched on the URL. */
export type PausedSite = {
	readonly id: number;
	readonly url: string;
};

/**
Keeps sites' paused flags beyond the run; storage implements it. The monitor calls it with exactly
the sites whose flag it changed, in the order it changed them, so what is stored always follows the
monitor and nothing else decides a pause.
*/
export type PauseStore = (sites: readonly PausedSite[], paused: boolean) => Promise<Exclude<PauseOutcome, 'run-only'>>;

/** Hands the sites a pause or resume changed to `store`, if the monitor has one. */
export async function keepPauses(store: PauseStore | undefined, sites: readonly PausedSite[], paused: boolean): Promise<PauseOutcome> {
	if (!store) {
		return 'run-only';
	}

	// Nothing changed (already paused, or unknown): there is nothing new to store.
	return sites.length === 0 ? 'stored' : store(sites, paused);
}
