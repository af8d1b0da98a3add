import type {SiteView} from '../engine/site-state.js';
import {displayStatus} from './site-display.js';
import type {SiteFilter} from './site-filter.js';
import type {DisplayStatus, SortKey} from './types.js';

/** The rows to show, in order: site ids, and each one's index in the `sites` array it came from. */
export type SiteOrder = {
	readonly ids: readonly number[];
	/** `indices[i]` is where `ids[i]` sat in the sites array; a hint, checked against the id on use. */
	readonly indices: readonly number[];
};

// Worst first: the default sort is the one people open the UI for.
const statusRank: Readonly<Record<DisplayStatus, number>> = {
	down: 0, slow: 1, up: 2, pending: 3, paused: 4,
};

/**
Filters and sorts `sites`. Keys are computed once per site (decorate, sort, undecorate), so a sort of
100,000 sites compares numbers, and URLs only to break ties.
*/
export function orderSites(
	sites: readonly SiteView[],
	filter: SiteFilter,
	sort: SortKey,
	reversed: boolean,
	slowMs: number,
): SiteOrder {
	const positions: number[] = [];
	for (const [index, site] of sites.entries()) {
		if (!filter.active || filter.matches(site)) {
			positions.push(index);
		}
	}

	const rank = urlRank(sites);
	const keys = new Float64Array(sites.length);
	if (sort !== 'url') {
		for (const index of positions) {
			keys[index] = primaryKey(sites[index]!, sort, slowMs);
		}
	}

	positions.sort((a, b) => (keys[a]! - keys[b]!) || (rank[a]! - rank[b]!));
	if (reversed) {
		positions.reverse();
	}

	return {ids: positions.map(index => sites[index]!.id), indices: positions};
}

let rankCache: {urls: string[]; rank: Int32Array} | undefined;

/**
Each site's place in URL order (ids break ties). Sorting by URL is most of the cost of any sort (the
tie-breaker compares strings), but URLs change only when sites are added or removed, so the ranks
are kept while every URL is the same string as last time: a pointer comparison per site.
*/
function urlRank(sites: readonly SiteView[]): Int32Array {
	if (rankCache?.urls.length === sites.length && sites.every((view, index) => view.url === rankCache!.urls[index])) {
		return rankCache.rank;
	}

	const urls = sites.map(view => view.url);
	const byUrl = [...urls.keys()].sort((a, b) => {
		if (urls[a] !== urls[b]) {
			return urls[a]! < urls[b]! ? -1 : 1;
		}

		return sites[a]!.id - sites[b]!.id;
	});
	const rank = new Int32Array(sites.length);
	for (const [place, index] of byUrl.entries()) {
		rank[index] = place;
	}

	rankCache = {urls, rank};
	return rank;
}

/** Smaller sorts first. Missing values sort last in the default direction. */
function primaryKey(view: SiteView, sort: SortKey, slowMs: number): number {
	switch (sort) {
		case 'status': {
			return statusRank[displayStatus(view, slowMs)];
		}

		case 'latency': {
			// Slowest first; sites never checked last.
			return view.last ? -view.last.responseTimeMs : Infinity;
		}

		case 'next': {
			return view.nextDueAt ?? Infinity;
		}

		case 'failures': {
			// Most failures among the remembered checks first, then over the whole run.
			let recent = 0;
			for (const outcome of view.recentOutcomes) {
				recent += outcome ? 0 : 1;
			}

			return -((recent * 1e9) + view.failures);
		}

		default: {
			return 0;
		}
	}
}

// Built only when a hint misses (sites were added or removed since the order was computed).
const byIdCache = new WeakMap<readonly SiteView[], Map<number, SiteView>>();

/**
The current view of the site at `position` of `order`, read from `sites` (a newer snapshot than the
one the order was computed from), so row contents stay fresh while the order is reused. Undefined
when the site has gone.
*/
export function siteAt(sites: readonly SiteView[], order: SiteOrder, position: number): SiteView | undefined {
	const id = order.ids[position];
	if (id === undefined) {
		return undefined;
	}

	const hinted = sites[order.indices[position]!];
	if (hinted?.id === id) {
		return hinted;
	}

	let byId = byIdCache.get(sites);
	if (!byId) {
		byId = new Map(sites.map(view => [view.id, view]));
		byIdCache.set(sites, byId);
	}

	return byId.get(id);
}
