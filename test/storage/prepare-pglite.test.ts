import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {existsSync, mkdirSync} from 'node:fs';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {sql} from 'slonik';
import {openDatabase} from '../../source/storage/open-database.js';
import {preparePglite} from '../../source/storage/prepare-pglite.js';
import {runCli} from '../helpers/run-cli.js';
import {waitForValue} from '../helpers/wait-for.js';

/*
A new PGlite directory is built (initdb in a child process) while the sites file is read. A bad
file must still leave nothing behind: the directory as it was before the run, whenever the error
comes (before initdb ends, or after).
*/

async function scratch(t: ExecutionContext): Promise<string> {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-prepare-test-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	return directory;
}

const target = (dataDir: string) => ({kind: 'pglite', dataDir, describe: dataDir}) as const;

test('a directory given up after initdb finished is removed, staged cluster and all', async t => {
	const dataDir = path.join(await scratch(t), 'new', 'data');
	const prepared = preparePglite(target(dataDir));
	t.true(await prepared.staged, 'a cluster was staged');
	await prepared.discard();
	t.false(existsSync(path.join(dataDir, '..')), 'every directory the preparation made is gone');
});

test('an existing empty directory given up while initdb runs is left empty: initdb stopped, no staging, no lock', async t => {
	const dataDir = await scratch(t);
	const prepared = preparePglite(target(dataDir));
	await prepared.discard();
	t.deepEqual(await readdir(dataDir), []);
	await t.throwsAsync(prepared.staged, {message: /initdb was stopped/});
});

test('a directory that holds a cluster is not rebuilt; given up, it keeps it and loses the lock', async t => {
	const dataDir = await scratch(t);
	const database = await openDatabase(target(dataDir));
	await database.pool.query(sql.unsafe`CREATE TABLE kept (n int)`);
	await database.close();

	const prepared = preparePglite(target(dataDir));
	t.false(await prepared.staged);
	await prepared.discard();
	const reopened = await openDatabase(target(dataDir));
	t.teardown(async () => reopened.close());
	t.is(await reopened.pool.oneFirst(sql.unsafe`SELECT count(*)::int4 FROM kept`), 0, 'the cluster and its table are there');
});

test('a prepared directory opens as a database, and holds the lock until it is closed', async t => {
	const dataDir = path.join(await scratch(t), 'data');
	const prepared = preparePglite(target(dataDir));
	t.throws(() => preparePglite(target(dataDir)), {message: /lock/});
	const database = await openDatabase(target(dataDir), {prepared});
	t.is(await database.pool.oneFirst(sql.unsafe`SELECT 1 + 1`), 2);
	t.false(existsSync(path.join(dataDir, '.webmon-initdb')));
	await database.close();
	const again = preparePglite(target(dataDir));
	t.false(await again.staged, 'the cluster was installed');
	await again.discard();
});

test('[cli] a bad sites file leaves an existing, empty --data-dir empty', async t => {
	const directory = await scratch(t);
	const dataDir = path.join(directory, 'data');
	mkdirSync(dataDir);
	const csv = path.join(directory, 'sites.csv');
	// Enough good rows that initdb is under way when the bad one is read.
	const good = Array.from({length: 50_000}, (_, index) => `http://127.0.0.1:9/site/${index},60`);
	await writeFile(csv, `${good.join('\n')}\nhttp://127.0.0.1:9/bad,0\n`);
	const run = await runCli(['--sites-csv', csv, '--data-dir', dataDir, '--no-tui']);
	t.is(run.code, 2, run.stderr);
	t.regex(run.stderr, /sites\.csv:50001: interval "0" is not a positive number/);
	t.deepEqual(await readdir(dataDir), []);
});

/** Processes whose command line holds `text` (Linux /proc), this test's own excluded. */
async function processesWith(text: string): Promise<number> {
	let count = 0;
	for (const entry of await readdir('/proc')) {
		if (/^\d+$/.test(entry) && Number(entry) !== process.pid) {
			const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
			count += commandLine.includes(text) ? 1 : 0;
		}
	}

	return count;
}

test('an initdb whose parent is killed stops at once instead of building on into the staging directory', async t => {
	const dataDir = await scratch(t);
	const stage = new URL('../../source/storage/pglite-initdb.ts', import.meta.url).href;
	// The parent starts initdb and dies by SIGKILL 300 ms later, long before initdb's ~2 s are up.
	const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', `
		import {stageCluster} from ${JSON.stringify(stage)};
		void stageCluster(${JSON.stringify(dataDir)});
		setTimeout(() => process.kill(process.pid, 'SIGKILL'), 300);
	`], {stdio: 'ignore'});
	await once(parent, 'exit');
	await waitForValue(async () => processesWith(dataDir), count => count === 0, 30_000, {failure: count => `${count} initdb processes still run`});
	// A whole cluster has global/pg_control; an initdb left to run on writes it (seen: 2.2 s after
	// its parent died, 22 entries staged).
	t.false(existsSync(path.join(dataDir, '.webmon-initdb', 'global', 'pg_control')));
});
