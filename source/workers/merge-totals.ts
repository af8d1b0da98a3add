import type {EngineTotals} from '../engine/engine-types.js';
import type {SiteView} from '../engine/site-state.js';

/** Counters a shard carried over from earlier lives (a shard restarted after a crash starts from zero). */
export type PastCounters = {
	started: number;
	completed: number;
	skipped: number;
	skippedClientBusy: number;
	skippedHostBusy: number;
	heldSlots: number;
};

export function noPastCounters(): PastCounters {
	return {started: 0, completed: 0, skipped: 0, skippedClientBusy: 0, skippedHostBusy: 0, heldSlots: 0};
}

/** Adds a dead shard's last report to what it carried before. */
export function carryOver(past: PastCounters, last: EngineTotals | undefined): void {
	if (last) {
		past.started += last.started;
		past.completed += last.completed;
		past.skipped += last.skipped;
		past.skippedClientBusy += last.skippedClientBusy;
		past.skippedHostBusy += last.skippedHostBusy;
		past.heldSlots += last.heldSlots;
	}
}

/** The main thread's own numbers when it keeps no views: its sites and its record of pauses. */
export type SiteCounts = {readonly sites: number; readonly paused: number};

type StatusCounts = {sites: number; up: number; down: number; paused: number; pending: number};

function countsOf(views: readonly SiteView[]): StatusCounts {
	const counts = {sites: views.length, up: 0, down: 0, paused: 0, pending: 0};
	for (const view of views) {
		counts[view.status]++;
	}

	return counts;
}

/** Up and down as the shards last said, within what is not paused; the rest is pending. */
function countsFromShards({sites, paused}: SiteCounts, reports: readonly EngineTotals[]): StatusCounts {
	const active = sites - paused;
	const up = Math.min(active, reports.reduce((sum, totals) => sum + totals.up, 0));
	const down = Math.min(active - up, reports.reduce((sum, totals) => sum + totals.down, 0));
	return {sites, up, down, paused, pending: active - up - down};
}

/**
One fleet's totals from the shards' reports: counts add up, rates add up, shares are weighted by
throughput, and percentiles take the worst shard (percentiles do not add up; the worst is honest).
Site statuses come from the merged views, which are the main thread's own; without views, up and
down come from the shards and paused from the main thread's record of pauses (`SiteCounts`).
*/
export function mergeTotals(
	reports: readonly EngineTotals[],
	past: readonly PastCounters[],
	views: readonly SiteView[] | SiteCounts,
	clock: {startedAt: number; now: number},
): EngineTotals {
	const sum = (pick: (totals: EngineTotals) => number) => reports.reduce((total, totals) => total + pick(totals), 0);
	const max = (pick: (totals: EngineTotals) => number) => reports.reduce((highest, totals) => Math.max(highest, pick(totals)), 0);
	const before = (pick: (counters: PastCounters) => number) => past.reduce((total, counters) => total + pick(counters), 0);
	const perMinute = sum(totals => totals.checksPerSecond1m);
	const weighted = (pick: (totals: EngineTotals) => number) => perMinute > 0
		? sum(totals => pick(totals) * totals.checksPerSecond1m) / perMinute
		: 0;
	const {sites, ...statuses} = 'sites' in views ? countsFromShards(views, reports) : countsOf(views);
	const reasons = [...new Set(reports.map(totals => totals.limitReason))];
	return {
		sites,
		...statuses,
		// Each origin's sites are all in one shard (see `OriginShards`).
		hosts: sum(totals => totals.hosts),
		inFlight: sum(totals => totals.inFlight),
		waiting: sum(totals => totals.waiting),
		waitingOnHosts: sum(totals => totals.waitingOnHosts),
		suspectInFlight: sum(totals => totals.suspectInFlight),
		stalledInFlight: sum(totals => totals.stalledInFlight),
		limit: sum(totals => totals.limit),
		limitReason: reasons.length === 0 ? 'starting' : reasons.join('; '),
		started: sum(totals => totals.started) + before(counters => counters.started),
		completed: sum(totals => totals.completed) + before(counters => counters.completed),
		skipped: sum(totals => totals.skipped) + before(counters => counters.skipped),
		skippedClientBusy: sum(totals => totals.skippedClientBusy) + before(counters => counters.skippedClientBusy),
		skippedHostBusy: sum(totals => totals.skippedHostBusy) + before(counters => counters.skippedHostBusy),
		heldSlots: sum(totals => totals.heldSlots) + before(counters => counters.heldSlots),
		checksPerSecond1s: sum(totals => totals.checksPerSecond1s),
		checksPerSecond1m: perMinute,
		timeoutRate1m: weighted(totals => totals.timeoutRate1m),
		errorRate1m: weighted(totals => totals.errorRate1m),
		latenessP50Ms: max(totals => totals.latenessP50Ms),
		latenessP99Ms: max(totals => totals.latenessP99Ms),
		eventLoopDelayP99Ms: max(totals => totals.eventLoopDelayP99Ms),
		cpuUtilisation: max(totals => totals.cpuUtilisation),
		startedAt: clock.startedAt,
		now: clock.now,
	};
}
