import {isVerdict, type CheckResult, type SiteSpec} from './types.js';

/** How a site looks right now. `slow` is left to the front ends (a threshold is a display choice). */
export type SiteStatus = 'pending' | 'up' | 'down' | 'paused';

/** Immutable per-site view published in the snapshot; replaced (never mutated) when it changes. */
export type SiteView = {
	readonly id: number;
	readonly url: string;
	readonly intervalSeconds: number;
	readonly regex?: string | undefined;
	readonly status: SiteStatus;
	/** The last finished check (skips excluded). */
	readonly last?: CheckResult | undefined;
	/** Epoch ms of the next scheduled check; undefined when paused or finished. */
	readonly nextDueAt?: number | undefined;
	/** Latencies (ms) of the most recent checks, oldest first, at most `historyLength`. */
	readonly recentLatencies: readonly number[];
	/** Outcomes of the most recent checks, oldest first (true = success). */
	readonly recentOutcomes: readonly boolean[];
	readonly checks: number;
	readonly failures: number;
	readonly skipped: number;
	readonly consecutiveFailures: number;
	readonly consecutiveTimeouts: number;
	readonly running: boolean;
};

/** How many recent checks a view keeps for sparklines and success ratios. */
export const historyLength = 20;

/** A check counts as a success when the site answered below 400 and the regex (if any) matched. */
export function isSuccess(result: CheckResult): boolean {
	return result.httpStatusCode >= 200
		&& result.httpStatusCode < 400
		&& result.regexMatchStatus !== 0
		&& isVerdict(result);
}

export function isTimeout(result: CheckResult): boolean {
	return result.httpStatusCode === 598;
}

// Shared by every new view (a million sites, several copies each); views are never mutated.
const noHistory: readonly never[] = Object.freeze([]);

/** A site's status before its first check. */
export function initialStatus(spec: SiteSpec): SiteStatus {
	return spec.paused ? 'paused' : 'pending';
}

/** A site's view before its first check (scheduled for `nextDueAt`, if given). */
export function initialView(spec: SiteSpec, nextDueAt?: number): SiteView {
	return {
		id: spec.id,
		url: spec.url,
		intervalSeconds: spec.intervalSeconds,
		regex: spec.regex,
		status: initialStatus(spec),
		// Present from the start, so every later view has one shape with all fields inside the object
		// (a field added by a later spread went to a separate property array: 40 bytes a site).
		last: undefined,
		nextDueAt,
		recentLatencies: noHistory,
		recentOutcomes: noHistory,
		checks: 0,
		failures: 0,
		skipped: 0,
		consecutiveFailures: 0,
		consecutiveTimeouts: 0,
		running: false,
	};
}

/**
The view of a site paused (no next check) or resumed (its status as its last verdict says, pending
before any). What a monitor shows is derived from its record of pauses through this, never kept apart.
*/
export function withPaused(view: SiteView, paused: boolean): SiteView {
	if (paused) {
		return view.status === 'paused' && view.nextDueAt === undefined ? view : {...view, status: 'paused', nextDueAt: undefined};
	}

	if (view.status !== 'paused') {
		return view;
	}

	const {last} = view;
	return {...view, status: last ? (isSuccess(last) ? 'up' : 'down') : 'pending'};
}

/** The view after `result`. Skipped slots (and crashed checks) are counted but do not change the site's status. */
export function applyResult(view: SiteView, result: CheckResult): SiteView {
	if (!isVerdict(result)) {
		return {...view, skipped: view.skipped + 1, running: result.errorKind === 'worker_crash' ? false : view.running};
	}

	const ok = isSuccess(result);
	return {
		...view,
		status: view.status === 'paused' ? 'paused' : (ok ? 'up' : 'down'),
		last: result,
		recentLatencies: pushBounded(view.recentLatencies, result.responseTimeMs),
		recentOutcomes: pushBounded(view.recentOutcomes, ok),
		checks: view.checks + 1,
		failures: view.failures + (ok ? 0 : 1),
		consecutiveFailures: ok ? 0 : view.consecutiveFailures + 1,
		consecutiveTimeouts: isTimeout(result) ? view.consecutiveTimeouts + 1 : 0,
		running: false,
	};
}

function pushBounded<T>(items: readonly T[], item: T): readonly T[] {
	const next = items.length >= historyLength ? items.slice(items.length - historyLength + 1) : [...items];
	next.push(item);
	return next;
}
