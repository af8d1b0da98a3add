import test from 'ava';
import {analyseRun, parseNdjson, type BenchArrival, type BenchCheck, type BenchSite} from '../../source/bench/bench-analysis.js';
import {formatSharingTable, judgeSharing} from '../../source/bench/bench-report-sharing.js';
import {fleetKinds, siteDesignedMs, siteSlowMs} from '../../source/bench/fleet-kinds.js';

// Synthetic logs only: issue 10's figures computed from made-up runs, never anyone's speed.
const t0 = Date.UTC(2026, 10, 24, 12, 0, 0);

function check(fleetId: number, scheduledAt: number, options: Partial<BenchCheck> = {}): BenchCheck {
	return {fleetId, scheduledAt, requestedAt: scheduledAt + 1, sentAt: undefined, httpStatusCode: 200, errorKind: null, ok: true, ...options};
}

function timedOut(fleetId: number, scheduledAt: number): BenchCheck {
	return check(fleetId, scheduledAt, {httpStatusCode: 598, errorKind: 'timeout', ok: false});
}

function arrival(siteId: number, epochMs: number, kind: string): BenchArrival {
	return {siteId, epochMs, kind};
}

test('the NDJSON\'s sent_at and http_status_code are read; null or absent sent_at is undefined', t => {
	const line = (fields: Record<string, unknown>) => JSON.stringify({
		request_timestamp: new Date(t0 + 2).toISOString(),
		scheduled_at: new Date(t0).toISOString(),
		url: 'http://127.0.1.1:4000/s/3/hang',
		http_status_code: 598,
		ok: false,
		error_kind: 'timeout',
		...fields,
	});
	const {checks, malformed} = parseNdjson([
		line({sent_at: new Date(t0 + 40).toISOString()}),
		line({sent_at: null}),
		line({}),
		line({http_status_code: 'x'}),
	].join('\n'));
	t.is(malformed, 0);
	t.deepEqual(checks.map(parsed => [parsed.sentAt, parsed.httpStatusCode]), [[t0 + 40, 598], [undefined, 598], [undefined, 598], [undefined, undefined]]);
});

test('no fleet kind but hang is built to outlast a 5 s deadline', t => {
	for (let id = 1; id <= 2000; id++) {
		for (const kind of fleetKinds) {
			const designed = siteDesignedMs(id, kind);
			t.true(kind === 'hang' ? designed === Infinity : designed < 5000, `${kind} ${id}: ${designed} ms`);
		}
	}

	t.is(siteDesignedMs(7, 'reset'), 0);
});

test('timeouts count as false unless the site hangs or is built to take the deadline', t => {
	const slowId = Array.from({length: 500}, (_, index) => index + 10).find(id => siteSlowMs(id) >= 2000)!;
	const sites: BenchSite[] = [
		{fleetId: 1, kind: 'ok', intervalSeconds: 10},
		{fleetId: 2, kind: 'hang', intervalSeconds: 10},
		{fleetId: slowId, kind: 'slow', intervalSeconds: 10},
		{fleetId: 4, kind: 'reset', intervalSeconds: 10},
	];
	const checks = [timedOut(1, t0), timedOut(2, t0), timedOut(slowId, t0), timedOut(4, t0), check(1, t0 + 10_000)];
	const defaults = analyseRun({sites, checks, arrivals: [], checksPerSite: 2});
	t.is(defaults.falseTimeouts, 3);
	t.deepEqual(defaults.falseTimeoutsByKind, {ok: 1, slow: 1, reset: 1});
	// A 2 s deadline is shorter than this slow site's design: its timeout is legitimate.
	const short = analyseRun({sites, checks, arrivals: [], checksPerSite: 2, timeoutMs: 2000});
	t.deepEqual(short.falseTimeoutsByKind, {ok: 1, reset: 1});
});

test('tool lateness comes from sent_at, over the same checks as the fleet\'s', t => {
	const sites: BenchSite[] = [{fleetId: 1, kind: 'ok', intervalSeconds: 10}, {fleetId: 2, kind: 'hang', intervalSeconds: 10}];
	const checks = [
		check(1, t0, {requestedAt: t0 + 1, sentAt: t0 + 300}),
		check(1, t0 + 10_000, {requestedAt: t0 + 10_001, sentAt: t0 + 10_050}),
		check(2, t0, {requestedAt: t0 + 1, sentAt: t0 + 900, httpStatusCode: 598, errorKind: 'timeout', ok: false}),
	];
	const arrivals = [arrival(1, t0 + 320, 'ok'), arrival(1, t0 + 10_060, 'ok'), arrival(2, t0 + 905, 'hang')];
	const result = analyseRun({sites, checks, arrivals, checksPerSite: 2});
	t.is(result.lateness.responsive.p99, 320);
	t.is(result.toolLatenessResponsive.p99, 300);
	t.is(result.toolLatenessResponsive.count, 2);
	t.is(result.toolLateness.max, 900);
	t.deepEqual(result.sendToArrival, {count: 3, p50: 10, p90: 20, p99: 20, max: 20, mean: 35 / 3});
	t.is(result.falseTimeouts, 0);

	const verdict = judgeSharing({analysis: result, stored: 3});
	t.like(verdict, {fleetP99Ok: true, noFalseTimeouts: true, rowsMatch: true, toolAgrees: true, met: true, toolMinusFleetP99Ms: -20, toolFromSentAt: true});
	const text = formatSharingTable([{label: '2 http pglite', origins: 1, analysis: result, stored: 3}]);
	t.regex(text, /^run\s+origins\s+fleet p50\s+p99\s+max\s+tool p99\s+tool-fleet\s+false 598\s+skipped\s+client_busy\s+host_busy\s+worker_crash\s+rows\s+served\+skip\s+mismatch\s+issue 10$/m);
	t.regex(text, /^2 http pglite\s+1\s+60\s+320\s+320\s+300\s+-20\s+0\s+0\s+0\s+0\s+0\s+3\s+3\s+0\s+MET$/m);
	t.notRegex(text, /request_timestamp/);
});

test('each goal of issue 10 is missed on its own, and an older CLI\'s tool lateness is marked', t => {
	const sites: BenchSite[] = [{fleetId: 1, kind: 'ok', intervalSeconds: 10}];
	const checks = [check(1, t0, {requestedAt: t0 + 10}), timedOut(1, t0 + 10_000)];
	const arrivals = [arrival(1, t0 + 1500, 'ok'), arrival(1, t0 + 10_002, 'ok')];
	const result = analyseRun({sites, checks, arrivals, checksPerSite: 2});
	const verdict = judgeSharing({analysis: result, stored: undefined});
	t.like(verdict, {fleetP99Ok: false, noFalseTimeouts: false, rowsMatch: false, rowMismatch: undefined, toolAgrees: false, met: false, toolFromSentAt: false});
	const text = formatSharingTable([{label: 'old', origins: 1, analysis: result, stored: undefined}]);
	t.regex(text, /missed \(p99, 598, rows, tool\)$/m);
	t.regex(text, /\s10\*\s/);
	t.regex(text, /request_timestamp - scheduled_at/);
});
