import test from 'ava';
import {summariseProfile} from '../../source/bench/bench-cpu-profile.js';
import {parseBenchOptions} from '../../source/bench/bench-options.js';
import {parseTimes} from '../../source/bench/bench-spawn.js';
import {parseSummaryLine} from '../../source/bench/bench-summary-line.js';
import {mixWithHangPercent, allocateKinds, fleetMixes} from '../../source/bench/fleet-sites.js';

test('the CLI summary line yields limit, loop p99 and the writer counts', t => {
	const line = 'summary: sites 1000 (up 980, down 20, pending 0, paused 0) | checks/s 107.0 (1m 45.2) | timeouts 0.9% '
		+ '| errors 2.0% | limit 128 in-flight 16 waiting 3 (raise: checks waiting) | late p99 6 ms | loop p99 2 ms '
		+ '| skipped 3 | db ok, 1070 stored, 16 queued';
	const fields = parseSummaryLine(line);
	t.like(fields, {
		limit: 128, inFlight: 16, waiting: 3, limitReason: 'raise: checks waiting', checksPerSecond: 107,
		latenessP99Ms: 6, loopP99Ms: 2, skipped: 3, stored: 1070, queued: 16,
	});
	t.is(parseSummaryLine('webmon-tui: monitoring 1000 sites'), undefined);
	t.is(parseSummaryLine('summary: something else')?.limit, undefined);
});

test('parseTimes reads the children line after the marker', t => {
	t.deepEqual(parseTimes(['summary: x', 'bench-times', '0m0.004s 0m0.001s', '1m2.500s 0m3.250s']), {userSeconds: 62.5, systemSeconds: 3.25});
	t.is(parseTimes(['no marker']), undefined);
});

test('summariseProfile ranks functions by self time', t => {
	const frame = (functionName: string, url = '', lineNumber = 0) => ({functionName, url, lineNumber});
	const profile = {
		nodes: [
			{id: 1, callFrame: frame('(root)')},
			{id: 2, callFrame: frame('parse', 'file:///app/node_modules/undici/lib/llhttp.js', 9)},
			{id: 3, callFrame: frame('', 'file:///app/dist/engine/check-engine.js', 41)},
		],
		// DevTools' convention: the time until the next sample is the sample's own.
		samples: [2, 3, 2, 4, 2],
		timeDeltas: [0, 1000, 1000, 1000, 5000],
	};
	profile.nodes.push({id: 4, callFrame: frame('(idle)')});
	const {totalMs, idleMs, top} = summariseProfile(profile, {root: '/app/'});
	t.is(totalMs, 8);
	t.is(idleMs, 5);
	t.deepEqual(top.map(entry => [entry.location, entry.selfMs]), [
		['parse (undici/lib/llhttp.js:10)', 2],
		['(anonymous) (dist/engine/check-engine.js:42)', 1],
	]);
});

test('the default matrix is 10k sites on each configured database; the flags build the full one', t => {
	t.deepEqual(parseBenchOptions([], {}).matrix.map(run => [run.sites, run.db, run.scheme]), [[10_000, 'pglite', 'http']]);
	t.is(parseBenchOptions([], {DATABASE_URL: 'postgres://x@127.0.0.1/y'}).matrix.length, 2);
	const full = parseBenchOptions(
		['--sizes', '1k,10000,50000,100000', '--db', 'pglite,postgres', '--scheme', 'http,https', '--hang', '1,10', '--connection-close'],
		{DATABASE_URL: 'postgres://x@127.0.0.1/y'},
	);
	t.is(full.matrix.length, 32);
	t.true(full.matrix.every(run => run.connectionClose && run.intervalSeconds[1] === 300 && run.checks === 2));
	t.throws(() => parseBenchOptions(['--db', 'postgres'], {}), {message: /DATABASE_URL/});
	t.throws(() => parseBenchOptions(['--interval', '30-5'], {}), {message: /MIN-MAX/});
	t.deepEqual(parseBenchOptions(['--quick'], {}).matrix[0]?.intervalSeconds, [5, 15]);
});

test('mixWithHangPercent gives hang its share and keeps the others in proportion', t => {
	const counts = allocateKinds(1000, mixWithHangPercent(fleetMixes.bench, 10));
	t.is(counts.get('hang'), 100);
	t.is([...counts.values()].reduce((sum, count) => sum + count, 0), 1000);
	t.is(counts.get('ok'), Math.round(900 * 90 / 99));
	t.false(allocateKinds(1000, mixWithHangPercent(fleetMixes.bench, 0)).has('hang'));
});
