import test from 'ava';
import {analyseRun, type BenchArrival, type BenchCheck, type BenchSite} from '../../source/bench/bench-analysis.js';
import {checkOfArrival, joinArrivals} from '../../source/bench/bench-join.js';
import {judgeSharing} from '../../source/bench/bench-report-sharing.js';

// Synthetic logs only: these tests check which check an arrival joins, never anyone's speed.
const t0 = Date.UTC(2026, 10, 24, 12, 0, 0);

function check(fleetId: number, scheduledAt: number, options: Partial<BenchCheck> = {}): BenchCheck {
	return {fleetId, scheduledAt, requestedAt: scheduledAt + 1, sentAt: undefined, httpStatusCode: 200, errorKind: null, ok: true, ...options};
}

function busy(fleetId: number, scheduledAt: number, errorKind = 'client_busy'): BenchCheck {
	return check(fleetId, scheduledAt, {requestedAt: scheduledAt + 5000, httpStatusCode: 0, errorKind, ok: false});
}

function arrival(siteId: number, epochMs: number, kind = 'ok'): BenchArrival {
	return {siteId, epochMs, kind};
}

const site: BenchSite = {fleetId: 1, kind: 'ok', intervalSeconds: 5};

for (const withSentAt of [false, true]) {
	test(`a slot still waiting when the next came is recorded busy, and the late newer slot joins its own check${withSentAt ? ' (sent_at)' : ''}`, t => {
		// Slot t0 waited for a global slot past t0+5 s: recorded client_busy; slot t0+5 s was queued and sent at t0+7.5 s.
		const newer = check(1, t0 + 5000, {requestedAt: t0 + 7500, sentAt: withSentAt ? t0 + 7500 : undefined});
		const checks = [busy(1, t0), newer, check(1, t0 + 10_000, {sentAt: withSentAt ? t0 + 10_002 : undefined})];
		const arrivals = [arrival(1, t0 + 7503), arrival(1, t0 + 10_004)];
		const result = analyseRun({sites: [site], checks, arrivals, checksPerSite: 3});
		t.is(result.matched, 2);
		t.is(result.unmatchedArrivals, 0);
		t.is(result.unserved, 0);
		t.deepEqual(result.lateness.responsive, {count: 2, p50: 4, p90: 2503, p99: 2503, max: 2503, mean: 1253.5});
		t.is(result.skipped, 1);
		t.deepEqual(result.skippedByReason, {skipped: 0, client_busy: 1, host_busy: 0, worker_crash: 0});
		t.is(result.checksWithSentAt, withSentAt ? 2 : 0);
		// Three slots, three rows: two requests served and one slot without a verdict.
		t.like(judgeSharing({analysis: result, stored: 3}), {servedPlusSkipped: 3, rowMismatch: 0, rowsMatch: true});
	});
}

test('sent_at puts a request that arrives after the next slot\'s time with the check that sent it', t => {
	// Slot t0 was sent just before slot t0+5 s came, and its request was seen after it.
	const first = check(1, t0, {sentAt: t0 + 4990});
	const second = check(1, t0 + 5000, {sentAt: t0 + 5200});
	t.is(checkOfArrival([first, second], t0 + 5002), 0);
	t.is(checkOfArrival([first, second], t0 + 5203), 1);
	// Without sent_at only the schedule is known, and the latest slot at or before the arrival wins.
	t.is(checkOfArrival([check(1, t0), check(1, t0 + 5000)], t0 + 5002), 1);

	const join = joinArrivals([second, first], [arrival(1, t0 + 5203), arrival(1, t0 + 5002)]);
	t.deepEqual(join.pairs.map(pair => [pair.arrival.epochMs - t0, pair.check.scheduledAt - t0]), [[5002, 0], [5203, 5000]]);
	t.is(join.duplicates, 0);
	t.deepEqual(join.unserved, []);
});

test('a check that wrote no request cannot own an arrival that a sent check explains', t => {
	const refused = check(1, t0 + 5000, {errorKind: 'refused', ok: false, httpStatusCode: 555});
	const sent = check(1, t0, {sentAt: t0 + 20});
	t.is(checkOfArrival([sent, refused], t0 + 5010), 0);
	const join = joinArrivals([sent, refused], [arrival(1, t0 + 25)]);
	t.is(join.pairs.length, 1);
	t.deepEqual(join.unserved, [refused]);
});

test('a request from a slot recorded as busy shows as unmatched and as a row mismatch', t => {
	// The slot at t0 was recorded client_busy, yet a request for it reached the fleet before the next slot was sent.
	const checks = [busy(1, t0), check(1, t0 + 5000, {sentAt: t0 + 7000})];
	const result = analyseRun({sites: [site], checks, arrivals: [arrival(1, t0 + 5001), arrival(1, t0 + 7002)], checksPerSite: 2});
	t.is(result.matched, 1);
	t.is(result.unmatchedArrivals, 1);
	t.is(result.lateness.responsive.max, 2002);
	t.like(judgeSharing({analysis: result, stored: 2}), {servedPlusSkipped: 3, rowMismatch: -1, rowsMatch: false});
});

test('checks of sites the fleet never heard from are all unserved', t => {
	const join = joinArrivals([check(2, t0), check(2, t0 + 5000), check(1, t0)], [arrival(1, t0 + 3)]);
	t.is(join.pairs.length, 1);
	t.is(join.unserved.length, 2);
	t.is(join.unmatched, 0);
});
