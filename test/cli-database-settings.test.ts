import {mkdtemp, readdir, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {createPgDriverFactory} from '@slonik/pg-driver';
import test, {type ExecutionContext} from 'ava';
import {createPool, sql} from 'slonik';
import {targetFromDatabaseUrl} from '../source/config/index.js';
import {startLoopbackSites, storedRows, type LoopbackSites} from './durability/loopback-sites.js';
import {postgresBinaries, startPostgresCluster, type PostgresCluster} from './durability/postgres-cluster.js';
import {notRun} from './helpers/not-run.js';
import {runCli} from './helpers/run-cli.js';

/*
Wrong database settings are configuration, not an outage: the real CLI against a PostgreSQL cluster
of this file's own, with password authentication (the shared server trusts every connection, so no
password can be wrong there). Each refusal must end the run at once: exit 2, one line naming the
setting and never the password, no site checked, nothing journaled. CI sets DATABASE_URL, and there
these tests must run: missing server binaries fail them loudly.
*/

const password = 'right-s3cret-PASS';
const wrongPassword = 'wrong-s3cret-PASS';
// An empty label: the resolver answers "not found" without asking a DNS server (tests only ever
// talk to 127.0.0.0/8), as it does for any name that does not exist.
const unknownHost = 'no-such-host..invalid';

let cluster: PostgresCluster | undefined;
let database = '';
const canRun = postgresBinaries() !== undefined || process.env.DATABASE_URL !== undefined;

type Setup = {directory: string; dataDir: string; csv: string; sites: LoopbackSites};

async function setUp(t: ExecutionContext): Promise<Setup> {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-settings-'));
	const sites = await startLoopbackSites();
	t.teardown(async () => {
		await sites.close();
		await rm(directory, {recursive: true, force: true});
	});
	const csv = await sites.csv(directory, 'sites.csv', ['/site/1', '/site/2'], 1);
	return {directory, dataDir: path.join(directory, 'data'), csv, sites};
}

/** A predecessor-format db config for the cluster, with `changes` applied; returns its path. */
async function dbConfig(setup: Setup, changes: Record<string, string | undefined> = {}): Promise<string> {
	const file = path.join(setup.directory, 'db.json');
	await writeFile(file, JSON.stringify({
		db_type: 'postgresql',
		db_user: 'webmon',
		db_pass: password,
		db_name: database,
		db_host: '127.0.0.1',
		db_port: String(cluster!.port),
		db_ssl: 'disable',
		...changes,
	}));
	return file;
}

async function filesUnder(directory: string): Promise<string[]> {
	const entries = await readdir(directory, {recursive: true, withFileTypes: true}).catch(() => []);
	return entries.filter(entry => !entry.isDirectory()).map(entry => path.join(entry.parentPath, entry.name));
}

/** Runs the CLI with `args` and the setup's sites, expecting a refusal whose line matches `blame`. */
async function expectRefused(t: ExecutionContext, setup: Setup, args: string[], blame: RegExp, env: NodeJS.ProcessEnv = {}) {
	const run = await runCli(['--sites-csv', setup.csv, '--data-dir', setup.dataDir, '--no-tui', '--number-healthchecks', '1', ...args], env);
	t.is(run.code, 2, run.stderr);
	const lines = run.stderr.trimEnd().split('\n');
	t.is(lines.length, 1, `one line: ${run.stderr}`);
	t.true(lines[0]!.startsWith('webmon-tui: cannot connect to PostgreSQL at '), lines[0]);
	t.regex(lines[0]!, blame);
	t.is(run.stdout, '');
	for (const secret of [password, wrongPassword]) {
		t.false(run.stderr.includes(secret), 'a password was printed');
	}

	t.is(setup.sites.seen(), 0, 'no site was checked');
	t.deepEqual(await filesUnder(setup.dataDir), [], 'nothing was journaled');
}

if (canRun) {
	test.before(async () => {
		cluster = await startPostgresCluster({hba: [
			'host all postgres 127.0.0.1/32 trust',
			// Without a password to check, the server tells a missing role apart (28000).
			'host all nobody 127.0.0.1/32 trust',
			'host all blocked 127.0.0.1/32 reject',
			'host all all 127.0.0.1/32 scram-sha-256',
		]});
		const admin = await createPool(cluster.url(), {driverFactory: createPgDriverFactory(), maxPoolSize: 1});
		try {
			await admin.query(sql.unsafe`CREATE ROLE webmon LOGIN PASSWORD ${sql.literalValue(password)}`);
			await admin.query(sql.unsafe`CREATE ROLE blocked LOGIN PASSWORD ${sql.literalValue(password)}`);
			await admin.query(sql.unsafe`CREATE ROLE idle NOLOGIN PASSWORD ${sql.literalValue(password)}`);
			database = 'webmon_app';
			await admin.query(sql.unsafe`CREATE DATABASE webmon_app OWNER webmon`);
		} finally {
			await admin.end();
		}
	});
	test.after.always(async () => {
		await cluster?.dispose();
	});

	test.serial('[postgres] the right password runs: the cluster checks passwords on this route', async t => {
		const setup = await setUp(t);
		const run = await runCli(['--sites-csv', setup.csv, '--db-config', await dbConfig(setup), '--data-dir', setup.dataDir, '--no-tui', '--number-healthchecks', '1']);
		t.is(run.code, 0, run.stderr);
		const target = targetFromDatabaseUrl(`postgres://webmon:${encodeURIComponent(password)}@127.0.0.1:${cluster!.port}/${database}?sslmode=disable`);
		t.is((await storedRows(target)).checks, 2);
	});

	test.serial('[postgres] a wrong password (28P01): exit 2, one line naming db_pass in the config file, never the password', async t => {
		const setup = await setUp(t);
		for (const ssl of ['disable', 'prefer']) {
			const config = await dbConfig(setup, {db_pass: wrongPassword, db_ssl: ssl});
			await expectRefused(t, setup, ['--db-config', config], /: password authentication failed \(28P01\); check db_pass in \S+db\.json and db_user "webmon" in \S+db\.json$/);
		}

		// Where passwords are checked, the server gives an unknown role the same answer.
		const ghost = await dbConfig(setup, {db_user: 'ghost'});
		await expectRefused(t, setup, ['--db-config', ghost], /\(28P01\); check db_pass in \S+db\.json and db_user "ghost" in \S+db\.json$/);
	});

	test.serial('[postgres] a role that does not exist or may not log in (28000): exit 2 naming db_user', async t => {
		const setup = await setUp(t);
		for (const user of ['nobody', 'blocked', 'idle']) {
			const config = await dbConfig(setup, {db_user: user});
			await expectRefused(t, setup, ['--db-config', config], new RegExp(String.raw`\(28000\); check db_user "${user}" in \S+db\.json$`));
		}
	});

	test.serial('[postgres] a database that does not exist (3D000): exit 2 naming db_name and its value', async t => {
		const setup = await setUp(t);
		await expectRefused(t, setup, ['--db-config', await dbConfig(setup, {db_name: 'nope'})], /: database does not exist \(3D000\); check db_name "nope" in \S+db\.json$/);
	});

	test.serial('[postgres] DATABASE_URL: a wrong password or a missing database names the part of DATABASE_URL', async t => {
		const setup = await setUp(t);
		const url = (user: string, secret: string, name: string) => `postgres://${user}:${secret}@127.0.0.1:${cluster!.port}/${name}?sslmode=disable`;
		await expectRefused(t, setup, [], /\(28P01\); check the password in DATABASE_URL and the user "webmon" in DATABASE_URL$/, {DATABASE_URL: url('webmon', wrongPassword, database)});
		await expectRefused(t, setup, [], /\(3D000\); check the database name "nope" in DATABASE_URL$/, {DATABASE_URL: url('webmon', password, 'nope')});
		await expectRefused(t, setup, [], /\(28000\); check the user "nobody" in DATABASE_URL$/, {DATABASE_URL: url('nobody', password, database)});
	});
} else {
	test('[postgres] database settings refused by a server', t => {
		notRun(t, 'no PostgreSQL server binaries and no DATABASE_URL');
	});
}

test('an unknown database host (ENOTFOUND): exit 2 naming db_host, or the host in DATABASE_URL', async t => {
	const setup = await setUp(t);
	const config = path.join(setup.directory, 'unknown-host.json');
	await writeFile(config, JSON.stringify({
		db_type: 'postgresql', db_user: 'webmon', db_pass: password, db_name: 'app', db_host: unknownHost, db_port: '5432', db_ssl: 'prefer',
	}));
	await expectRefused(t, setup, ['--db-config', config], /: host not found \(ENOTFOUND\); check db_host "no-such-host\.\.invalid" in \S+unknown-host\.json$/);
	await expectRefused(t, setup, [], /\(ENOTFOUND\); check the host "no-such-host\.\.invalid" in DATABASE_URL$/, {
		DATABASE_URL: `postgres://webmon:${password}@${unknownHost}/app`,
	});
});
