import http from 'node:http';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {sql} from 'slonik';
import {countChecks, openDatabase} from '../source/storage/index.js';
import type {DatabaseTarget} from '../source/storage/types.js';
import {backendKinds, createTestDatabase, registerPostgresNotice} from './helpers/database.js';
import {databaseFlags, runCli, startCli} from './helpers/run-cli.js';

/** A loopback site server that counts the checks it answers, per path. */
async function startSites() {
	const hits = new Map<string, number>();
	const server = http.createServer((request, response) => {
		const url = request.url ?? '/';
		hits.set(url, (hits.get(url) ?? 0) + 1);
		switch (new URL(url, 'http://x').pathname) {
			case '/ok': {
				response.end('<html>all systems nominal</html>');
				break;
			}

			case '/error': {
				response.statusCode = 500;
				response.end('boom');
				break;
			}

			case '/moved': {
				response.writeHead(302, {location: '/ok'});
				response.end();
				break;
			}

			default: {
				response.statusCode = 404;
				response.end();
			}
		}
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as AddressInfo;
	return {
		base: `http://127.0.0.1:${port}`,
		hits,
		total: () => [...hits.values()].reduce((sum, count) => sum + count, 0),
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

async function rowsIn(target: DatabaseTarget) {
	const database = await openDatabase(target);
	try {
		const rows = await database.pool.any(sql.unsafe`
			SELECT w.url_uq, h.http_status_code, h.regex_match_status, h.error_kind, h.final_url
			FROM healthcheck h JOIN website w ON w.website_id = h.website_fk ORDER BY h.check_id`);
		return {count: await countChecks(database.pool), rows: rows as Array<Record<string, unknown>>};
	} finally {
		await database.close();
	}
}

async function scratch(t: ExecutionContext) {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-cli-test-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	return directory;
}

for (const kind of backendKinds()) {
	test.serial(`[${kind}] --number-healthchecks 2 stores one row per check the servers saw, then --sites-table reuses the set`, async t => {
		const sites = await startSites();
		const database = await createTestDatabase(kind);
		const directory = await scratch(t);
		t.teardown(async () => {
			await sites.close();
			await database.dispose();
		});
		const csv = path.join(directory, 'sites.csv');
		await writeFile(csv, [
			`${sites.base}/ok,1,"nominal"`,
			`${sites.base}/ok?miss,1,"degraded"`,
			`${sites.base}/error,1`,
			`"${sites.base}/moved",2`,
			'',
		].join('\n'));
		const flags = await databaseFlags(database.target, directory);

		const first = await runCli(['--sites-csv', csv, ...flags, '--number-healthchecks', '2', '--no-tui']);
		t.is(first.code, 0, first.stderr);
		t.is(sites.hits.get('/moved'), 2);
		const checksSeen = sites.total() - sites.hits.get('/moved')!; // Each redirect's second hop is part of its check
		t.is(checksSeen, 8);
		const stored = await rowsIn(database.target);
		t.is(stored.count, 8, 'one row per check');
		t.is(first.stdout.trim().split('\n').length, 8, 'one line per check');
		t.regex(first.stdout, /UP {3}200 .* regex=ok {3}http:\/\/127\.0\.0\.1:\d+\/ok/);
		t.regex(first.stdout, /DOWN 200 .* regex=miss http:\/\/127\.0\.0\.1:\d+\/ok\?miss/);
		t.regex(first.stdout, /DOWN 500 /);
		t.regex(first.stdout, /\/moved -> http:\/\/127\.0\.0\.1:\d+\/ok/);
		t.regex(first.stderr, /summary: sites 4/);
		const byUrl = (suffix: string) => stored.rows.filter(row => String(row.url_uq).endsWith(suffix));
		t.deepEqual(byUrl('/ok').map(row => [row.http_status_code, row.regex_match_status]), [[200, 1], [200, 1]]);
		t.deepEqual(byUrl('/ok?miss').map(row => [row.http_status_code, row.regex_match_status]), [[200, 0], [200, 0]]);
		t.deepEqual(byUrl('/error').map(row => row.http_status_code), [500, 500]);
		t.true(byUrl('/moved').every(row => row.http_status_code === 200 && String(row.final_url).endsWith('/ok')));

		const again = await runCli(['--sites-table', ...flags, '--number-healthchecks', '1', '--no-tui', '--format', 'ndjson']);
		t.is(again.code, 0, again.stderr);
		const records = again.stdout.trim().split('\n').map(line => JSON.parse(line) as {url: string; http_status_code: number});
		t.is(records.length, 4);
		t.is((await rowsIn(database.target)).count, 12);
	});

	test.serial(`[${kind}] bad input exits 2 naming file, line and field, and leaves stored rows alone`, async t => {
		const sites = await startSites();
		const database = await createTestDatabase(kind);
		const directory = await scratch(t);
		t.teardown(async () => {
			await sites.close();
			await database.dispose();
		});
		const flags = await databaseFlags(database.target, directory);
		const good = path.join(directory, 'good.csv');
		await writeFile(good, `${sites.base}/ok,1\n`);
		t.is((await runCli(['--sites-csv', good, ...flags, '--number-healthchecks', '1', '--no-tui'])).code, 0);
		const before = await rowsIn(database.target);
		t.is(before.count, 1);

		const cases: Array<[string, RegExp]> = [
			[`${sites.base}/ok,1\n${sites.base}/x,abc\n`, /bad\.csv:2: interval "abc" is not a positive number/],
			[`${sites.base}/ok,1,"(unclosed"\n`, /bad\.csv:1: regex "\(unclosed" is invalid/],
			['ftp://127.0.0.1/x,5\n', /bad\.csv:1: .*ftp/],
		];
		for (const [content, message] of cases) {
			const bad = path.join(directory, 'bad.csv');
			await writeFile(bad, content);
			const run = await runCli(['--sites-csv', bad, ...flags, '--drop-tables', '--no-tui']);
			t.is(run.code, 2);
			t.regex(run.stderr, message);
			t.is(run.stderr.trim().split('\n').length, 1, 'one line');
		}

		t.deepEqual(await rowsIn(database.target), before, 'nothing stored was touched, not even by --drop-tables');
	});
}

registerPostgresNotice();

test('an unreachable database: monitoring starts and journals; the password is never printed', async t => {
	const sites = await startSites();
	t.teardown(async () => sites.close());
	const directory = await scratch(t);
	const config = path.join(directory, 'db.json');
	await writeFile(config, JSON.stringify({
		db_type: 'postgresql', db_user: 'postgres', db_pass: 's3cr3t-PASSWORD', db_name: 'test', db_host: '127.0.0.1', db_port: '9', db_ssl: 'disable',
	}));
	const csv = path.join(directory, 'sites.csv');
	await writeFile(csv, `${sites.base}/ok,1\n`);
	const dataDir = path.join(directory, 'data');

	// --sites-table cannot know its sites without the database (or a list cached by an earlier start).
	const table = await runCli(['--db-config', config, '--data-dir', dataDir, '--sites-table']);
	t.is(table.code, 2);
	t.regex(table.stderr, /cannot connect to PostgreSQL at postgres@127\.0\.0\.1:9\/test: connection refused; --sites-table needs it/);
	t.is(table.stderr.trim().split('\n').length, 1, 'one line');

	const run = startCli(['--db-config', config, '--data-dir', dataDir, '--sites-csv', csv, '--no-tui']);
	await run.waitFor(/connection refused\. Monitoring anyway: results are journaled in \S+ and stored when the database is reachable/);
	await run.waitFor(/UP {3}200 .*\/ok/);
	run.child.kill('SIGTERM');
	await run.waitFor(/SIGTERM: stopping/);
	run.child.kill('SIGTERM');
	const result = await run.exited;
	t.is(result.code, 143, result.stderr);
	t.regex(result.stderr, /SIGTERM again: aborted 0 checks in flight; [1-9]\d* results journaled in .*journal.postgres-[\da-f]+; they are stored at the next start/);
	for (const output of [table.stdout, table.stderr, result.stdout, result.stderr]) {
		t.false(output.includes('s3cr3t'));
	}
});

test('bad flags exit 2 with a clear line', async t => {
	for (const [args, message] of [
		[['--sites-table', '--number-healthchecks', '0'], /--number-healthchecks "0" must be a positive integer or -1/],
		[['--sites-table', '--format', 'xml'], /--format "xml" must be text or ndjson/],
		[['--sites-table', '--timeout', 'soon'], /--timeout "soon"/],
		[['--sites-csv', 'a.csv', '--sites-table'], /not both/],
		[[], /nothing to monitor/],
	] as Array<[string[], RegExp]>) {
		const run = await runCli(args);
		t.is(run.code, 2, args.join(' '));
		t.regex(run.stderr, message);
	}
});

test('--help and --version', async t => {
	const help = await runCli(['--help']);
	t.is(help.code, 0);
	t.regex(help.stdout, /--sites-csv FILE/);
	t.regex(help.stdout, /--number-healthchecks N/);
	const version = await runCli(['--version']);
	t.regex(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
});
