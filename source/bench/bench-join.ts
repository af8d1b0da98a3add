/**
Which check each request the fleet received belongs to. The fleet logs an arrival with the site's id
and nothing else, so the join goes by time, site by site.
*/
import type {BenchArrival, BenchCheck} from './bench-log-parsers.js';

/**
How far before its scheduled (or sent) time an arrival may be and still belong to that check.
`scheduled_at` and `sent_at` are printed truncated to the millisecond, and the CLI's timers run on a
monotonic clock, not `Date.now()`.
*/
export const earlyToleranceMs = 5;

/** One request the fleet received and the check it belongs to. */
export type JoinedRequest = {readonly arrival: BenchArrival; readonly check: BenchCheck};

/** The join's outcome. */
export type ArrivalJoin = {
	readonly pairs: readonly JoinedRequest[];
	/** Arrivals with no check of their site at or before them (clock trouble or a lost NDJSON line). */
	readonly unmatched: number;
	/** Arrivals whose check another arrival had already claimed (a retry). */
	readonly duplicates: number;
	/** Checks no arrival joined: they never reached the fleet (refused, connect timeout...). */
	readonly unserved: readonly BenchCheck[];
};

/**
The check of `checks` (one site's, by `scheduledAt`) that an arrival at `epochMs` belongs to, or -1.

Only checks scheduled at or before the arrival qualify. Among them, the one sent last at or before
the arrival wins when the NDJSON says when checks were sent: one site has one request on the wire at
a time, so the latest send before an arrival is its own, even when the arrival comes after the
next slot's time. Without `sent_at` (a build from before it), the latest scheduled check wins, which
holds as long as a slot whose check is still running or still waiting is not run itself (`skipped`,
`client_busy`, `host_busy`), so that no later slot is a check beside it.
*/
export function checkOfArrival(checks: readonly BenchCheck[], epochMs: number): number {
	let bySent = -1;
	let byScheduled = -1;
	for (let index = 0; index < checks.length; index++) {
		const check = checks[index]!;
		if (check.scheduledAt - earlyToleranceMs > epochMs) {
			break;
		}

		if (check.sentAt === undefined) {
			byScheduled = index;
		} else if (check.sentAt - earlyToleranceMs <= epochMs && (bySent === -1 || check.sentAt >= checks[bySent]!.sentAt!)) {
			bySent = index;
		}
	}

	// A check that says it never wrote a request cannot own an arrival while one that did can.
	return bySent === -1 ? byScheduled : bySent;
}

function groupBySite<T>(items: readonly T[], siteOf: (item: T) => number, timeOf: (item: T) => number): Map<number, T[]> {
	const groups = new Map<number, T[]>();
	for (const item of items) {
		const site = siteOf(item);
		const group = groups.get(site);
		if (group) {
			group.push(item);
		} else {
			groups.set(site, [item]);
		}
	}

	for (const group of groups.values()) {
		group.sort((a, b) => timeOf(a) - timeOf(b));
	}

	return groups;
}

/**
Joins first-hop arrivals to the checks that ran (no-verdict rows excluded: they sent nothing), site
by site (see `checkOfArrival`). Inputs may be in any order.
*/
export function joinArrivals(checks: readonly BenchCheck[], arrivals: readonly BenchArrival[]): ArrivalJoin {
	const checksBySite = groupBySite(checks, check => check.fleetId, check => check.scheduledAt);
	const arrivalsBySite = groupBySite(arrivals, arrival => arrival.siteId, arrival => arrival.epochMs);
	const pairs: JoinedRequest[] = [];
	const unserved: BenchCheck[] = [];
	let unmatched = 0;
	let duplicates = 0;
	for (const [site, siteArrivals] of arrivalsBySite) {
		const siteChecks = checksBySite.get(site) ?? [];
		const claimed = new Uint8Array(siteChecks.length);
		for (const arrival of siteArrivals) {
			const index = checkOfArrival(siteChecks, arrival.epochMs);
			if (index === -1) {
				unmatched++;
			} else if (claimed[index]) {
				duplicates++;
			} else {
				claimed[index] = 1;
				pairs.push({arrival, check: siteChecks[index]!});
			}
		}

		for (const [index, check] of siteChecks.entries()) {
			if (!claimed[index]) {
				unserved.push(check);
			}
		}

		checksBySite.delete(site);
	}

	// Sites the fleet never heard from: all of their checks went unserved.
	for (const siteChecks of checksBySite.values()) {
		unserved.push(...siteChecks);
	}

	return {pairs, unmatched, duplicates, unserved};
}
