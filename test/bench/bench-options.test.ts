import test from 'ava';
import {benchUsage, parseBenchOptions} from '../../source/bench/bench-options.js';
import {cliRunArgs, fleetArgs, originsUsed, runLabel} from '../../source/bench/bench-run-config.js';
import {generateSites, spreadOrigins} from '../../source/bench/fleet-sites.js';

const server = {DATABASE_URL: 'postgres://x@127.0.0.1/y'};

test('--sites-per-origin is a list; each run uses ceil(sites / N) origins and says so', t => {
	const {matrix} = parseBenchOptions(['--sizes', '2000', '--sites-per-origin', '1,1000,3000'], {});
	t.deepEqual(matrix.map(run => [run.sitesPerOrigin, originsUsed(run)]), [[1, 2000], [1000, 2], [3000, 1]]);
	t.is(runLabel(matrix[1]!), '2000 http pglite hang1% keep-alive 1000/origin');
	t.deepEqual(fleetArgs(matrix[1]!, 'a.csv', 'b.log').slice(-2), ['--origins', '2']);
	// Left out, every origin the fleet serves is used, as before.
	const [plain] = parseBenchOptions([], {}).matrix;
	t.is(plain!.sitesPerOrigin, undefined);
	t.is(originsUsed(plain!), 2032);
	t.false(fleetArgs(plain!, 'a.csv', 'b.log').includes('--origins'));
	t.is(runLabel(plain!), '10000 http pglite hang1% keep-alive');
});

test('a site list that needs more origins than the fleet serves is refused before anything starts', t => {
	t.throws(() => parseBenchOptions(['--sizes', '10000', '--sites-per-origin', '1'], {}), {
		message: /10000 sites need 10000 origins, but the fleet serves 2032 per scheme \(--addresses 254 × --ports 8\); raise --ports to at least 40$/,
	});
	t.throws(() => parseBenchOptions(['--sizes', '100', '--sites-per-origin', '10', '--addresses', '2', '--ports', '4'], {}), {
		message: /need 10 origins.*serves 8.*--ports to at least 5 or --addresses/,
	});
	t.notThrows(() => parseBenchOptions(['--sizes', '100', '--sites-per-origin', '10', '--addresses', '2', '--ports', '5'], {}));
});

test('--timeout is passed to the CLI and named in the label', t => {
	const {matrix} = parseBenchOptions(['--timeout', '5,2.5'], {});
	t.deepEqual(matrix.map(run => run.timeoutSeconds), [5, 2.5]);
	t.deepEqual(cliRunArgs(matrix[0]!), ['--number-healthchecks', '2', '--timeout', '5']);
	t.regex(runLabel(matrix[1]!), / timeout2\.5s$/);
	t.deepEqual(cliRunArgs(parseBenchOptions(['--workers', '0'], {}).matrix[0]!), ['--number-healthchecks', '2', '--workers', '0']);
	t.throws(() => parseBenchOptions(['--timeout', '0'], {}), {message: /--timeout: "0"/});
});

test('the cases of issue 10 expand to their flags on every database', t => {
	const shape = (args: string[], env: NodeJS.ProcessEnv = {}) => parseBenchOptions(args, env).matrix.map(run => ({
		caseName: run.caseName,
		db: run.db,
		sites: run.sites,
		origins: originsUsed(run),
		scheme: run.scheme,
		interval: run.intervalSeconds.join('-'),
		hang: run.hangPercent,
		timeout: run.timeoutSeconds,
		close: run.connectionClose,
		checks: run.checks,
	}));
	const shared = {sites: 20_000, origins: 20, interval: '5-60', hang: 1, timeout: 5, close: false, checks: 2};
	t.deepEqual(shape(['--case', 'shared-20k,shared-20k-https']), [
		{caseName: 'shared-20k', db: 'pglite', scheme: 'http', ...shared},
		{caseName: 'shared-20k-https', db: 'pglite', scheme: 'https', ...shared, close: true},
	]);
	t.deepEqual(shape(['--case', 'one-host'], server), ['pglite', 'postgres'].map(db => ({
		caseName: 'one-host', db, sites: 100, origins: 1, scheme: 'http', interval: '5-10', hang: 10, timeout: undefined, close: false, checks: 20,
	})));
	t.deepEqual(shape(['--case', 'distinct-100k', '--db', 'postgres'], server), [{
		caseName: 'distinct-100k', db: 'postgres', sites: 100_000, origins: 2032, scheme: 'http', interval: '5-300', hang: 10, timeout: undefined, close: true, checks: 2,
	}]);
	t.is(runLabel(parseBenchOptions(['--case', 'shared-20k'], {}).matrix[0]!), '20000 http pglite hang1% keep-alive 1000/origin timeout5s [shared-20k]');
});

test('flags given beside a case override it; unknown cases and --quick are refused', t => {
	const [run] = parseBenchOptions(['--case', 'one-host', '--checks', '5', '--workers', '0'], {}).matrix;
	t.like(run, {checks: 5, workers: 0, sites: 100, sitesPerOrigin: 100});
	t.throws(() => parseBenchOptions(['--case', 'two-hosts'], {}), {message: /"two-hosts" is not one of shared-20k, shared-20k-https, one-host, distinct-100k/});
	t.throws(() => parseBenchOptions(['--case', 'one-host', '--quick'], {}), {message: /--quick and --case/});
	for (const name of ['shared-20k', 'shared-20k-https', 'one-host', 'distinct-100k']) {
		t.true(benchUsage.includes(`    ${name} `), name);
	}
});

test('spreadOrigins takes one origin per address before a second port of any', t => {
	const origins = ['1', '2', '3'].flatMap(address => [4001, 4002].map(port => `http://127.0.1.${address}:${port}`));
	t.deepEqual(spreadOrigins(origins, 4), ['http://127.0.1.1:4001', 'http://127.0.1.2:4001', 'http://127.0.1.3:4001', 'http://127.0.1.1:4002']);
	t.is(spreadOrigins(origins, 6).length, 6);
	t.throws(() => spreadOrigins(origins, 7), {message: /needs 7 origins but the fleet serves 6/});

	const sites = generateSites(origins, {count: 1000, origins: 2, mix: {ok: 9, hang: 1}});
	const byOrigin = new Map<string, {sites: number; hang: number}>();
	for (const site of sites) {
		const {origin} = new URL(site.url);
		const counts = byOrigin.get(origin) ?? {sites: 0, hang: 0};
		counts.sites++;
		counts.hang += site.kind === 'hang' ? 1 : 0;
		byOrigin.set(origin, counts);
	}

	t.deepEqual([...byOrigin.keys()], ['http://127.0.1.1:4001', 'http://127.0.1.2:4001']);
	for (const counts of byOrigin.values()) {
		t.is(counts.sites, 500);
		// Kinds are shuffled over the list, so each origin gets about the mix's share of hangs.
		t.true(counts.hang > 30 && counts.hang < 70, String(counts.hang));
	}
});
