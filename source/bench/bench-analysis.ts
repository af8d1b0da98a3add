/**
The benchmark's arithmetic, with no I/O: given the parsed site list, NDJSON and fleet log
(bench-log-parsers.ts), join every request the fleet received to the check the CLI scheduled, and summarise.
Lateness is measured by the server (arrival of the request's headers) against the CLI's own
`scheduled_at`, so a tool that reports itself punctual while its requests sit in a queue is caught.
*/
import type {BenchArrival, BenchCheck, BenchSite} from './bench-log-parsers.js';

export type {BenchArrival, BenchCheck, BenchSite} from './bench-log-parsers.js';
export {parseFleetLog, parseNdjson, parseSitesCsv} from './bench-log-parsers.js';

/** Distribution of a set of durations, ms. */
export type LatenessStats = {
	readonly count: number;
	readonly p50: number;
	readonly p90: number;
	readonly p99: number;
	readonly max: number;
	readonly mean: number;
};

/** What one run's logs say. */
export type BenchAnalysis = {
	readonly sites: number;
	/** Sites × checks per site: one NDJSON line and one row per scheduled slot. */
	readonly expectedResults: number;
	readonly ndjsonLines: number;
	readonly malformedLines: number;
	readonly skipped: number;
	/** NDJSON lines that were real checks (not `skipped`). */
	readonly checksRun: number;
	/** First hops of known sites the fleet received (a redirect's second hop is not a check). */
	readonly requestsServed: number;
	readonly secondHops: number;
	/** Requests for paths that name no generated site. */
	readonly strayRequests: number;
	/** Server arrivals joined to a scheduled check. */
	readonly matched: number;
	/** Arrivals with no scheduled check at or before them (clock trouble or a lost NDJSON line). */
	readonly unmatchedArrivals: number;
	/** Arrivals joined to a check that another arrival had already claimed (a retry). */
	readonly duplicateArrivals: number;
	/** Checks the CLI ran that never reached the server (refused, connect timeout...), by error kind. */
	readonly unserved: number;
	readonly unservedByErrorKind: Readonly<Record<string, number>>;
	/** Server-measured lateness: every site, sites that answer, sites that hang. */
	readonly lateness: {
		readonly all: LatenessStats;
		readonly responsive: LatenessStats;
		readonly hanging: LatenessStats;
	};
	/** The CLI's own view: request_timestamp − scheduled_at of checks it ran. */
	readonly toolLateness: LatenessStats;
	/** Checks of sites built to be up (`ok`, `slow`, `redirect`, `match`, `gzip`, `trickle`) reported down. */
	readonly falseDown: number;
	readonly falseDownByErrorKind: Readonly<Record<string, number>>;
	readonly errorKinds: Readonly<Record<string, number>>;
	/** Checks per second the site list asks for (Σ 1/interval). */
	readonly offeredPerSecond: number;
	/** First hops per second between the first and the last arrival. */
	readonly servedPerSecond: number;
	/**
	Most first hops in any window of `timelineWindowMs`, per second. With a few checks per site the
	load peaks at the start (every site's first checks fall in its first interval), so this, not the
	mean, is the rate the CLI had to sustain.
	*/
	readonly peakServedPerSecond: number;
	/** Per window of `timelineWindowMs` from the first arrival: first hops served and their lateness. */
	readonly timeline: ReadonlyArray<{readonly startS: number; readonly served: number; readonly p99: number; readonly max: number}>;
	readonly firstArrivalMs: number | undefined;
	readonly lastArrivalMs: number | undefined;
};

const upKinds = new Set(['ok', 'slow', 'redirect', 'match', 'gzip', 'trickle']);

/**
How far before its scheduled time an arrival may be and still belong to that check. `scheduled_at`
is printed truncated to the millisecond and timers run on a monotonic clock, not `Date.now()`.
*/
export const earlyToleranceMs = 5;

/** Width of the timeline's windows, ms. */
export const timelineWindowMs = 10_000;

/** Nearest-rank percentiles of `values` (sorted in place). */
export function latenessStats(values: Float64Array): LatenessStats {
	const count = values.length;
	if (count === 0) {
		return {count, p50: 0, p90: 0, p99: 0, max: 0, mean: 0};
	}

	values.sort();
	const rank = (p: number) => values[Math.max(0, Math.ceil((p / 100) * count) - 1)]!;
	let sum = 0;
	for (const value of values) {
		sum += value;
	}

	return {count, p50: rank(50), p90: rank(90), p99: rank(99), max: values[count - 1]!, mean: sum / count};
}

function increment(counts: Record<string, number>, key: string): void {
	counts[key] = (counts[key] ?? 0) + 1;
}

/** A growable list of numbers that ends as a Float64Array for sorting. */
class Samples {
	#values = new Float64Array(1024);
	#length = 0;

	push(value: number): void {
		if (this.#length === this.#values.length) {
			const grown = new Float64Array(this.#values.length * 2);
			grown.set(this.#values);
			this.#values = grown;
		}

		this.#values[this.#length++] = value;
	}

	stats(): LatenessStats {
		return latenessStats(this.#values.slice(0, this.#length));
	}
}

/** Inputs of `analyseRun`. */
export type AnalyseInput = {
	readonly sites: readonly BenchSite[];
	readonly checks: readonly BenchCheck[];
	readonly arrivals: readonly BenchArrival[];
	readonly checksPerSite: number;
	readonly malformedLines?: number;
};

/**
Joins arrivals to checks site by site: each first-hop arrival belongs to the latest check of its site
scheduled at or before it. A check's next slot is skipped while it runs, so a late request can never
belong to a later, non-skipped slot, and the join is exact.
*/
export function analyseRun(input: AnalyseInput): BenchAnalysis {
	const siteById = new Map<number, BenchSite>();
	let offered = 0;
	for (const site of input.sites) {
		siteById.set(site.fleetId, site);
		offered += 1 / site.intervalSeconds;
	}

	const errorKinds: Record<string, number> = {};
	const falseDownByErrorKind: Record<string, number> = {};
	const toolLateness = new Samples();
	let skipped = 0;
	let falseDown = 0;
	const run: BenchCheck[] = [];
	for (const check of input.checks) {
		if (check.errorKind === 'skipped') {
			skipped++;
			continue;
		}

		run.push(check);
		toolLateness.push(check.requestedAt - check.scheduledAt);
		if (check.errorKind !== null) {
			increment(errorKinds, check.errorKind);
		}

		if (!check.ok && upKinds.has(siteById.get(check.fleetId)?.kind ?? '')) {
			falseDown++;
			increment(falseDownByErrorKind, check.errorKind ?? 'status');
		}
	}

	let secondHops = 0;
	let strayRequests = 0;
	let firstArrivalMs: number | undefined;
	let lastArrivalMs: number | undefined;
	const firstHops: BenchArrival[] = [];
	for (const arrival of input.arrivals) {
		const site = siteById.get(arrival.siteId);
		if (!site) {
			strayRequests++;
		} else if (arrival.kind === site.kind) {
			firstHops.push(arrival);
			firstArrivalMs = Math.min(firstArrivalMs ?? arrival.epochMs, arrival.epochMs);
			lastArrivalMs = Math.max(lastArrivalMs ?? arrival.epochMs, arrival.epochMs);
		} else {
			// A redirect site's `ok` hop: the same check, not a new one.
			secondHops++;
		}
	}

	run.sort((a, b) => a.fleetId - b.fleetId || a.scheduledAt - b.scheduledAt);
	firstHops.sort((a, b) => a.siteId - b.siteId || a.epochMs - b.epochMs);
	const claimed = new Uint8Array(run.length);
	const all = new Samples();
	const responsive = new Samples();
	const hanging = new Samples();
	const windows: Array<{served: number; lateness: Samples}> = [];
	const windowOf = (epochMs: number) => {
		const index = Math.floor((epochMs - firstArrivalMs!) / timelineWindowMs);
		for (let next = windows.length; next <= index; next++) {
			windows.push({served: 0, lateness: new Samples()});
		}

		return windows[index]!;
	};

	for (const arrival of firstHops) {
		windowOf(arrival.epochMs).served++;
	}

	let matched = 0;
	let unmatchedArrivals = 0;
	let duplicateArrivals = 0;
	let cursor = 0;
	for (const arrival of firstHops) {
		// Move to the first check of this site, then to its last check scheduled at or before arrival.
		while (cursor < run.length && run[cursor]!.fleetId < arrival.siteId) {
			cursor++;
		}

		let best = -1;
		for (let index = cursor; index < run.length && run[index]!.fleetId === arrival.siteId; index++) {
			if (run[index]!.scheduledAt - earlyToleranceMs > arrival.epochMs) {
				break;
			}

			best = index;
		}

		if (best === -1) {
			unmatchedArrivals++;
			continue;
		}

		if (claimed[best]) {
			duplicateArrivals++;
			continue;
		}

		claimed[best] = 1;
		matched++;
		const lateness = arrival.epochMs - run[best]!.scheduledAt;
		windowOf(arrival.epochMs).lateness.push(lateness);
		all.push(lateness);
		(siteById.get(arrival.siteId)!.kind === 'hang' ? hanging : responsive).push(lateness);
	}

	const unservedByErrorKind: Record<string, number> = {};
	let unserved = 0;
	for (const [index, check] of run.entries()) {
		if (!claimed[index]) {
			unserved++;
			increment(unservedByErrorKind, check.errorKind ?? 'none');
		}
	}

	const spanSeconds = firstArrivalMs === undefined ? 0 : (lastArrivalMs! - firstArrivalMs) / 1000;
	return {
		sites: input.sites.length,
		expectedResults: input.sites.length * input.checksPerSite,
		ndjsonLines: input.checks.length,
		malformedLines: input.malformedLines ?? 0,
		skipped,
		checksRun: run.length,
		requestsServed: firstHops.length,
		secondHops,
		strayRequests,
		matched,
		unmatchedArrivals,
		duplicateArrivals,
		unserved,
		unservedByErrorKind,
		lateness: {all: all.stats(), responsive: responsive.stats(), hanging: hanging.stats()},
		toolLateness: toolLateness.stats(),
		falseDown,
		falseDownByErrorKind,
		errorKinds,
		offeredPerSecond: offered,
		servedPerSecond: spanSeconds > 0 ? firstHops.length / spanSeconds : 0,
		peakServedPerSecond: Math.max(0, ...windows.map(window => window.served)) / (timelineWindowMs / 1000),
		timeline: windows.map((window, index) => {
			const stats = window.lateness.stats();
			return {startS: (index * timelineWindowMs) / 1000, served: window.served, p99: stats.p99, max: stats.max};
		}),
		firstArrivalMs,
		lastArrivalMs,
	};
}
