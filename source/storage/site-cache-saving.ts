import type {Clock, SiteSpec} from '../engine/types.js';
import {saveSiteCache, type JournalDirectory} from './journal-directory.js';

/**
Runs `save` once, `siteCacheDelayMs` from now or when the returned function is called first (the
close), whichever comes first: a million sites take a second of the main thread to write down, and
that second is not spent on the way to the first check.
*/
export function saveSoon(clock: Clock, save: () => Promise<void>): () => Promise<void> {
	let saved: Promise<void> | undefined;
	const now = async () => {
		clock.clearTimer(timer);
		saved ??= save();
		return saved;
	};

	const timer = clock.setTimer(() => {
		void now();
	}, siteCacheDelayMs);
	return now;
}

/** How long after the start the site list is cached (see `saveSoon`). */
const siteCacheDelayMs = 5000;

/** Writes the site list into the journal directory (a server's), for a start without the server; a failure is a warning. */
export async function cacheSites(journal: JournalDirectory | undefined, sites: SiteSpec[], log: (line: string) => void) {
	if (journal) {
		await saveSiteCache(journal.path, sites).catch((error: unknown) => {
			log(`warning: cannot save the site list in ${journal.path}: ${(error as Error).message}`);
		});
	}
}
