import {useEffect, useState} from 'react';
import type {RecentCheck} from './types.js';

/** The detail pane's data: loading, loaded, or failed. */
export type RecentChecksState =
	| {readonly state: 'loading'}
	| {readonly state: 'loaded'; readonly checks: readonly RecentCheck[]}
	| {readonly state: 'failed'; readonly error: string};

/**
Loads the stored checks of `siteId`, again whenever `version` changes (the site's last result), and
keeps showing the previous rows while a reload runs. A late answer for a site no longer shown is
dropped, so fast scrolling through details cannot show one site's rows under another's URL.
*/
export function useRecentChecks(
	load: (siteId: number) => Promise<RecentCheck[]>,
	siteId: number | undefined,
	version: unknown,
): RecentChecksState {
	const [result, setResult] = useState<{siteId: number; value: RecentChecksState} | undefined>(undefined);
	useEffect(() => {
		if (siteId === undefined) {
			return;
		}

		let current = true;
		load(siteId).then(
			checks => {
				if (current) {
					setResult({siteId, value: {state: 'loaded', checks}});
				}
			},
			(error: unknown) => {
				if (current) {
					setResult({siteId, value: {state: 'failed', error: error instanceof Error ? error.message : String(error)}});
				}
			},
		);
		return () => {
			current = false;
		};
	}, [load, siteId, version]);
	return result && result.siteId === siteId ? result.value : {state: 'loading'};
}
