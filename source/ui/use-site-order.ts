import {useRef} from 'react';
import type {SiteView} from '../engine/site-state.js';
import type {SiteFilter} from './site-filter.js';
import {orderSites, type SiteOrder} from './site-order.js';
import type {SortKey} from './types.js';

/** Inputs of `useSiteOrder`. */
export type SiteOrderInput = {
	readonly sites: readonly SiteView[];
	readonly filter: SiteFilter;
	readonly sort: SortKey;
	readonly reversed: boolean;
	readonly slowMs: number;
	/** Current time of the UI's clock, ms. */
	readonly now: number;
	/** How long an order may be reused while only row contents change, ms. */
	readonly resortMs: number;
	/** Bumped by actions whose effect the order must show at once (pause, resume). */
	readonly epoch: number;
};

type Cached = SiteOrderInput & {readonly order: SiteOrder; readonly count: number};

/**
The filtered, sorted order of the sites. Filtering and sorting 100,000 sites costs tens of ms, too
much for every frame at 10 frames/s, so the order is recomputed when the filter, sort or set of sites
changes, and otherwise at most once per `resortMs`; in between, rows show fresh contents (see
`siteAt`) in a slightly stale order.
*/
export function useSiteOrder(input: SiteOrderInput): SiteOrder {
	const cache = useRef<Cached | undefined>(undefined);
	const previous = cache.current;
	if (
		previous?.filter === input.filter
		&& previous.sort === input.sort
		&& previous.reversed === input.reversed
		&& previous.slowMs === input.slowMs
		&& previous.epoch === input.epoch
		&& previous.count === input.sites.length
		&& input.now >= previous.now
		&& input.now - previous.now < input.resortMs
	) {
		return previous.order;
	}

	const order = orderSites(input.sites, input.filter, input.sort, input.reversed, input.slowMs);
	// A render-time cache rather than state: it is derived data, and writing it cannot trigger a render.
	cache.current = {...input, order, count: input.sites.length};
	return order;
}
