/**
The benchmark's arithmetic, with no I/O: given the parsed site list, NDJSON and fleet log
(bench-log-parsers.ts), join every request the fleet received to the check the CLI scheduled
(bench-join.ts), and summarise. Lateness is measured by the server (arrival of the request's headers)
against the CLI's own `scheduled_at`, so a tool that reports itself punctual while its requests sit
in a queue is caught.
*/
import {noVerdictKinds} from '../engine/types.js';
import {joinArrivals} from './bench-join.js';
import type {BenchArrival, BenchCheck, BenchSite} from './bench-log-parsers.js';
import {increment, Samples, type LatenessStats} from './bench-stats.js';
import {isFleetKind, siteDesignedMs} from './fleet-kinds.js';

export type {BenchArrival, BenchCheck, BenchSite} from './bench-log-parsers.js';
export {parseFleetLog, parseNdjson, parseSitesCsv} from './bench-log-parsers.js';
export {latenessStats, type LatenessStats} from './bench-stats.js';
export {earlyToleranceMs} from './bench-join.js';

/** What one run's logs say. */
export type BenchAnalysis = {
	readonly sites: number;
	/** Sites × checks per site: one NDJSON line and one row per scheduled slot. */
	readonly expectedResults: number;
	readonly ndjsonLines: number;
	readonly malformedLines: number;
	/** Slots that ended without a verdict (every kind of `noVerdictKinds`: they sent nothing). */
	readonly skipped: number;
	/** `skipped` by reason, every no-verdict kind listed (0 when none). */
	readonly skippedByReason: Readonly<Record<string, number>>;
	/** NDJSON lines that were real checks (not a no-verdict kind). */
	readonly checksRun: number;
	/** Checks run whose line says when the request was sent (`sent_at`); 0 on a build without it. */
	readonly checksWithSentAt: number;
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
	/** The CLI's own view of every check it ran: `sent_at` (else `request_timestamp`) − `scheduled_at`. */
	readonly toolLateness: LatenessStats;
	/**
	The CLI's own view of exactly the checks behind `lateness.responsive` (joined to an arrival of a
	site that answers), so the two compare like for like.
	*/
	readonly toolLatenessResponsive: LatenessStats;
	/** Arrival − `sent_at` of joined checks that have one: how long a written request took to be seen. */
	readonly sendToArrival: LatenessStats;
	/** Checks of sites built to be up (`ok`, `slow`, `redirect`, `match`, `gzip`, `trickle`) reported down. */
	readonly falseDown: number;
	readonly falseDownByErrorKind: Readonly<Record<string, number>>;
	/**
	Rows with status 598 (timeout) of sites whose design answers within the check's deadline (see
	`siteDesignedMs`): every kind but `hang`, unless `slow` or `trickle` sites take the deadline or longer.
	*/
	readonly falseTimeouts: number;
	readonly falseTimeoutsByKind: Readonly<Record<string, number>>;
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
const noVerdict: ReadonlySet<string> = noVerdictKinds;

/** Width of the timeline's windows, ms. */
export const timelineWindowMs = 10_000;

/** The CLI's check deadline when no `--timeout` is given, ms (see source/cli.ts). */
export const cliDefaultTimeoutMs = 10_000;

/** Inputs of `analyseRun`. */
export type AnalyseInput = {
	readonly sites: readonly BenchSite[];
	readonly checks: readonly BenchCheck[];
	readonly arrivals: readonly BenchArrival[];
	readonly checksPerSite: number;
	readonly malformedLines?: number;
	/** The CLI's check deadline, ms (default `cliDefaultTimeoutMs`): which timeouts are false. */
	readonly timeoutMs?: number;
};

/** Whether a 598 of `site` says more about the checker than about the site. */
function timeoutIsFalse(site: BenchSite | undefined, timeoutMs: number): boolean {
	return site !== undefined && isFleetKind(site.kind) && siteDesignedMs(site.fleetId, site.kind) < timeoutMs;
}

/** What the CLI says about when it asked: `sent_at` when the line has it, else `request_timestamp`. */
function toolSentAt(check: BenchCheck): number {
	return check.sentAt ?? check.requestedAt;
}

/** Joins the fleet's log to the CLI's NDJSON (see `joinArrivals`) and summarises the run. */
export function analyseRun(input: AnalyseInput): BenchAnalysis {
	const timeoutMs = input.timeoutMs ?? cliDefaultTimeoutMs;
	const siteById = new Map<number, BenchSite>();
	let offered = 0;
	for (const site of input.sites) {
		siteById.set(site.fleetId, site);
		offered += 1 / site.intervalSeconds;
	}

	const errorKinds: Record<string, number> = {};
	const falseDownByErrorKind: Record<string, number> = {};
	const falseTimeoutsByKind: Record<string, number> = {};
	const skippedByReason: Record<string, number> = Object.fromEntries([...noVerdict].map(kind => [kind, 0]));
	const toolLateness = new Samples();
	let skipped = 0;
	let falseDown = 0;
	let falseTimeouts = 0;
	let checksWithSentAt = 0;
	const run: BenchCheck[] = [];
	for (const check of input.checks) {
		const site = siteById.get(check.fleetId);
		if (check.httpStatusCode === 598 && timeoutIsFalse(site, timeoutMs)) {
			falseTimeouts++;
			increment(falseTimeoutsByKind, site!.kind);
		}

		if (check.errorKind !== null && noVerdict.has(check.errorKind)) {
			skipped++;
			increment(skippedByReason, check.errorKind);
			continue;
		}

		run.push(check);
		toolLateness.push(toolSentAt(check) - check.scheduledAt);
		if (check.sentAt !== undefined) {
			checksWithSentAt++;
		}

		if (check.errorKind !== null) {
			increment(errorKinds, check.errorKind);
		}

		if (check.ok || !upKinds.has(site?.kind ?? '')) {
			continue;
		}

		falseDown++;
		increment(falseDownByErrorKind, check.errorKind ?? 'status');
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

	const join = joinArrivals(run, firstHops);
	const all = new Samples();
	const responsive = new Samples();
	const hanging = new Samples();
	const toolResponsive = new Samples();
	const sendToArrival = new Samples();
	for (const {arrival, check} of join.pairs) {
		const lateness = arrival.epochMs - check.scheduledAt;
		windowOf(arrival.epochMs).lateness.push(lateness);
		all.push(lateness);
		if (siteById.get(arrival.siteId)!.kind === 'hang') {
			hanging.push(lateness);
		} else {
			responsive.push(lateness);
			toolResponsive.push(toolSentAt(check) - check.scheduledAt);
		}

		if (check.sentAt !== undefined) {
			sendToArrival.push(arrival.epochMs - check.sentAt);
		}
	}

	const unservedByErrorKind: Record<string, number> = {};
	for (const check of join.unserved) {
		increment(unservedByErrorKind, check.errorKind ?? 'none');
	}

	const spanSeconds = firstArrivalMs === undefined ? 0 : (lastArrivalMs! - firstArrivalMs) / 1000;
	return {
		sites: input.sites.length,
		expectedResults: input.sites.length * input.checksPerSite,
		ndjsonLines: input.checks.length,
		malformedLines: input.malformedLines ?? 0,
		skipped,
		skippedByReason,
		checksRun: run.length,
		checksWithSentAt,
		requestsServed: firstHops.length,
		secondHops,
		strayRequests,
		matched: join.pairs.length,
		unmatchedArrivals: join.unmatched,
		duplicateArrivals: join.duplicates,
		unserved: join.unserved.length,
		unservedByErrorKind,
		lateness: {all: all.stats(), responsive: responsive.stats(), hanging: hanging.stats()},
		toolLateness: toolLateness.stats(),
		toolLatenessResponsive: toolResponsive.stats(),
		sendToArrival: sendToArrival.stats(),
		falseDown,
		falseDownByErrorKind,
		falseTimeouts,
		falseTimeoutsByKind,
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
