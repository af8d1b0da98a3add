import test from 'ava';
import {
	analyseRun,
	latenessStats,
	parseFleetLog,
	parseNdjson,
	parseSitesCsv,
	type BenchArrival,
	type BenchCheck,
	type BenchSite,
} from '../../source/bench/bench-analysis.js';

// Synthetic logs only: these tests check the join and the arithmetic, never anyone's speed.
const t0 = Date.UTC(2026, 10, 24, 12, 0, 0);

function check(fleetId: number, scheduledAt: number, options: Partial<BenchCheck> = {}): BenchCheck {
	return {fleetId, scheduledAt, requestedAt: scheduledAt + 1, sentAt: undefined, httpStatusCode: 200, errorKind: null, ok: true, ...options};
}

function arrival(siteId: number, epochMs: number, kind: string): BenchArrival {
	return {siteId, epochMs, kind};
}

test('parsers read the CSV, the NDJSON and the fleet log, counting malformed lines', t => {
	const sites = parseSitesCsv('http://127.0.1.1:4000/s/1/ok,5\nhttp://127.0.1.2:4001/s/2/match,30,"webmon fleet ok"\n\n');
	t.deepEqual(sites, [
		{fleetId: 1, kind: 'ok', intervalSeconds: 5},
		{fleetId: 2, kind: 'match', intervalSeconds: 30},
	]);

	const line = JSON.stringify({
		request_timestamp: new Date(t0 + 12).toISOString(),
		scheduled_at: new Date(t0).toISOString(),
		website_id: 7,
		url: 'http://127.0.1.1:4000/s/1/ok',
		http_status_code: 200,
		ok: true,
		error_kind: null,
	});
	const {checks, malformed} = parseNdjson(`${line}\nnot json\n{"url":"http://x/"}\n`);
	t.is(malformed, 2);
	t.deepEqual(checks, [{fleetId: 1, scheduledAt: t0, requestedAt: t0 + 12, sentAt: undefined, httpStatusCode: 200, errorKind: null, ok: true}]);

	t.deepEqual(parseFleetLog(`${t0},1,ok\n${t0 + 5},-1,unknown\n`), [
		{epochMs: t0, siteId: 1, kind: 'ok'},
		{epochMs: t0 + 5, siteId: -1, kind: 'unknown'},
	]);
});

test('latenessStats uses nearest-rank percentiles', t => {
	const values = Float64Array.from({length: 100}, (_, index) => 100 - index);
	t.deepEqual(latenessStats(values), {count: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5});
	t.deepEqual(latenessStats(new Float64Array(0)), {count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0});
});

test('each arrival joins the latest check of its site scheduled at or before it', t => {
	const sites: BenchSite[] = [{fleetId: 1, kind: 'ok', intervalSeconds: 10}, {fleetId: 2, kind: 'ok', intervalSeconds: 5}];
	const checks = [check(1, t0), check(1, t0 + 10_000), check(2, t0 + 1000), check(2, t0 + 6000)];
	// Out of order on purpose: the log is in arrival order across sites, the NDJSON in completion order.
	const arrivals = [
		arrival(2, t0 + 6300, 'ok'),
		arrival(1, t0 + 10_020, 'ok'),
		arrival(1, t0 + 5, 'ok'),
		arrival(2, t0 + 1100, 'ok'),
	];
	const result = analyseRun({sites, checks, arrivals, checksPerSite: 2});
	t.is(result.expectedResults, 4);
	t.is(result.matched, 4);
	t.is(result.requestsServed, 4);
	t.is(result.unserved, 0);
	t.deepEqual(result.lateness.all, {count: 4, p50: 20, p90: 300, p99: 300, max: 300, mean: 106.25});
	t.is(result.offeredPerSecond, 0.1 + 0.2);
	t.is(result.peakServedPerSecond, 0.3);
	t.deepEqual(result.timeline.map(window => window.served), [3, 1]);
});

test('a redirect counts its first hop only', t => {
	const sites: BenchSite[] = [{fleetId: 3, kind: 'redirect', intervalSeconds: 10}];
	const result = analyseRun({
		sites,
		checks: [check(3, t0)],
		arrivals: [arrival(3, t0 + 40, 'redirect'), arrival(3, t0 + 90, 'ok')],
		checksPerSite: 1,
	});
	t.is(result.requestsServed, 1);
	t.is(result.secondHops, 1);
	t.is(result.lateness.all.max, 40);
});

test('a request later than the next slot belongs to its own check, the next slot being skipped', t => {
	const sites: BenchSite[] = [{fleetId: 4, kind: 'ok', intervalSeconds: 5}];
	const checks = [check(4, t0), check(4, t0 + 5000, {errorKind: 'skipped', ok: false})];
	const result = analyseRun({sites, checks, arrivals: [arrival(4, t0 + 7000, 'ok')], checksPerSite: 2});
	t.is(result.skipped, 1);
	t.is(result.checksRun, 1);
	t.is(result.lateness.all.max, 7000);
});

test('hanging sites are reported apart from sites that answer', t => {
	const sites: BenchSite[] = [{fleetId: 5, kind: 'hang', intervalSeconds: 30}, {fleetId: 6, kind: 'ok', intervalSeconds: 30}];
	const checks = [
		check(5, t0, {errorKind: 'timeout', ok: false}),
		check(6, t0),
	];
	const result = analyseRun({sites, checks, arrivals: [arrival(5, t0 + 900, 'hang'), arrival(6, t0 + 3, 'ok')], checksPerSite: 1});
	t.is(result.lateness.hanging.max, 900);
	t.is(result.lateness.responsive.max, 3);
	t.is(result.lateness.all.count, 2);
	t.is(result.falseDown, 0);
	t.deepEqual(result.errorKinds, {timeout: 1});
});

test('checks that never reached the fleet, stray, early and duplicate requests are counted', t => {
	const sites: BenchSite[] = [{fleetId: 7, kind: 'ok', intervalSeconds: 60}, {fleetId: 8, kind: 'match', intervalSeconds: 60}];
	const checks = [
		check(7, t0 + 1000),
		check(8, t0, {errorKind: 'refused', ok: false}),
	];
	const arrivals = [
		arrival(7, t0, 'ok'), // Before any scheduled check of site 7
		arrival(7, t0 + 1002, 'ok'),
		arrival(7, t0 + 1500, 'ok'), // A second request for the same check
		arrival(99, t0, 'ok'), // Not in the site list
		arrival(-1, t0, 'unknown'),
	];
	const result = analyseRun({sites, checks, arrivals, checksPerSite: 1});
	t.is(result.matched, 1);
	t.is(result.unmatchedArrivals, 1);
	t.is(result.duplicateArrivals, 1);
	t.is(result.strayRequests, 2);
	t.is(result.unserved, 1);
	t.deepEqual(result.unservedByErrorKind, {refused: 1});
	t.is(result.falseDown, 1);
	t.deepEqual(result.falseDownByErrorKind, {refused: 1});
});

test('an arrival a few ms before its truncated scheduled time still joins it', t => {
	const sites: BenchSite[] = [{fleetId: 9, kind: 'ok', intervalSeconds: 10}];
	const result = analyseRun({sites, checks: [check(9, t0 + 100)], arrivals: [arrival(9, t0 + 98, 'ok')], checksPerSite: 1});
	t.is(result.matched, 1);
	t.is(result.lateness.all.max, -2);
});
