import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {targetFromDatabaseUrl} from '../../source/config/index.js';
import {notRun} from '../helpers/not-run.js';
import {databaseFlags, runCli, startCli} from '../helpers/run-cli.js';
import {startTcpProxy} from '../storage/tcp-proxy.js';
import {killOnceKept, startLoopbackSites, storedRows, waitUntil, type LoopbackSites} from './loopback-sites.js';
import {postgresBinaries, startPostgresCluster, type PostgresCluster} from './postgres-cluster.js';

/**
The real CLI against a PostgreSQL cluster of this file's own, which the tests stop, cut off and start
again. CI sets DATABASE_URL, and there these tests must run: missing server binaries fail them loudly.
Elsewhere, without binaries, one passing test says they did not run.
*/

let cluster: PostgresCluster | undefined;
const canRun = postgresBinaries() !== undefined || process.env.DATABASE_URL !== undefined;

async function setUp(t: ExecutionContext, port?: number) {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-outage-'));
	const sites = await startLoopbackSites();
	t.teardown(async () => {
		await sites.close();
		await rm(directory, {recursive: true, force: true});
	});
	const name = await cluster!.createDatabase();
	const target = targetFromDatabaseUrl(cluster!.url(name));
	// The CLI may reach the server through a proxy (another port); the tests count rows directly.
	const cliTarget = port === undefined ? target : targetFromDatabaseUrl(cluster!.url(name).replace(`:${cluster!.port}/`, () => `:${port}/`));
	const flags = await databaseFlags(cliTarget, directory);
	const csv = await sites.csv(directory, 'sites.csv', ['/site/1', '/site/2', '/site/3'], 1);
	return {directory, sites, target, flags, csv};
}

async function moreAnswers(sites: LoopbackSites, count: number) {
	const target = sites.answered() + count;
	await waitUntil(() => sites.answered() >= target, 30_000, `${count} more answered checks`);
}

if (canRun) {
	test.before(async () => {
		cluster = await startPostgresCluster();
	});
	test.after.always(async () => {
		await cluster?.dispose();
	});

	test.serial('[postgres] the server stops mid-run and comes back: one row per request, no duplicates', async t => {
		const {sites, target, flags, csv} = await setUp(t);
		const run = startCli(['--sites-csv', csv, ...flags, '--no-tui', '--number-healthchecks', '8']);
		await moreAnswers(sites, 6);
		await cluster!.stop();
		await moreAnswers(sites, 6);
		await cluster!.start();
		const result = await run.exited;
		t.is(result.code, 0, result.stderr);
		t.regex(result.stderr, /database write failed \(.+\); results are kept in the journal .+ and retried with backoff/);
		t.regex(result.stderr, /database reachable again after \d+ s/);
		const stored = await storedRows(target);
		t.is(stored.checks, sites.answered());
		t.is(stored.checks, 24);
		t.is(stored.keys, stored.rows, 'no duplicates');
	});

	test.serial('[postgres] network cut, kill -9 during the cut, restart once healed: one row per answered check', async t => {
		const proxy = await startTcpProxy('127.0.0.1', cluster!.port);
		t.teardown(async () => proxy.stop());
		const {directory, sites, target, flags, csv} = await setUp(t, proxy.port);
		const run = startCli(['--sites-csv', csv, ...flags, '--no-tui']);
		// A test that fails before its kill does not leave the CLI running.
		t.teardown(() => {
			run.child.kill('SIGKILL');
		});
		await moreAnswers(sites, 6);
		await proxy.stop();
		await moreAnswers(sites, 6);
		await killOnceKept(run, sites, directory);
		await proxy.start();

		const restart = await runCli(['--sites-csv', csv, ...flags, '--no-tui', '--number-healthchecks', '2']);
		t.is(restart.code, 0, restart.stderr);
		t.regex(restart.stderr, /results left by an earlier run; they are stored before new ones/);
		const stored = await storedRows(target);
		t.is(stored.checks, sites.answered());
		t.is(stored.keys, stored.rows);
	});

	test.serial('[postgres] unreachable at start-up: monitoring starts, results are journaled, then stored', async t => {
		const {sites, target, flags, csv} = await setUp(t);
		await cluster!.stop();
		const run = startCli(['--sites-csv', csv, ...flags, '--no-tui', '--number-healthchecks', '4']);
		await run.waitFor(/cannot connect to PostgreSQL at postgres@127\.0\.0\.1:\d+\/\w+: connection refused\. Monitoring anyway: results are journaled in \S+ and stored when the database is reachable/);
		await moreAnswers(sites, 6);
		await cluster!.start();
		const result = await run.exited;
		t.is(result.code, 0, result.stderr);
		t.regex(result.stderr, /reachable: schema ready, 3 sites stored/);
		const stored = await storedRows(target);
		t.is(stored.checks, sites.answered());
		t.is(stored.checks, 12);
	});

	test.serial('[postgres] --sites-table while the server is away uses the site list cached at the last start', async t => {
		const {directory, sites, target, flags, csv} = await setUp(t);
		t.is((await runCli(['--sites-csv', csv, ...flags, '--no-tui', '--number-healthchecks', '1'])).code, 0);
		await cluster!.stop();
		const noCache = await runCli(['--sites-table', ...flags.slice(0, -1), path.join(directory, 'elsewhere')]);
		t.is(noCache.code, 2);
		t.regex(noCache.stderr, /--sites-table needs it, and no site list is cached in/);

		const run = startCli(['--sites-table', ...flags, '--no-tui', '--number-healthchecks', '2']);
		await run.waitFor(/using the 3 sites cached at/);
		await moreAnswers(sites, 3);
		await cluster!.start();
		const result = await run.exited;
		t.is(result.code, 0, result.stderr);
		const stored = await storedRows(target);
		t.is(stored.checks, sites.answered());
		t.is(stored.checks, 9);
	});
} else {
	test('[postgres] outage tests on a cluster of their own', t => {
		notRun(t, 'DATABASE_URL is not set and no PostgreSQL server binaries were found (set WEBMON_PG_BIN)');
	});
}
