import {appendFile, mkdtemp, readdir, rm} from 'node:fs/promises';
import {existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {pgliteTarget} from '../../source/config/index.js';
import {createTestDatabase} from '../helpers/database.js';
import {runCli, startCli} from '../helpers/run-cli.js';
import {killOnceKept, startLoopbackSites, storedRows, waitUntil} from './loopback-sites.js';

/**
The real CLI on embedded PGlite, killed with SIGKILL: the test counts the requests its loopback sites
saw and compares them with the rows stored after a restart. (Every way to stop it rather than kill it
is in cli-endings.test.ts.)
*/

async function setUp(t: ExecutionContext) {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-durability-'));
	const sites = await startLoopbackSites();
	// A copy of an initialised PGlite directory: saves initdb's seconds in every test.
	const database = await createTestDatabase('pglite');
	t.teardown(async () => {
		await sites.close();
		await database.dispose();
		await rm(directory, {recursive: true, force: true});
	});
	const {dataDir} = database.target as {dataDir: string};
	return {directory, sites, dataDir, journal: path.join(dataDir, 'journal', 'pglite')};
}

async function segments(journal: string): Promise<string[]> {
	return existsSync(journal) ? (await readdir(journal)).filter(name => name.endsWith('.ndjson')).sort() : [];
}

test('[pglite] kill -9 mid-run, a torn last journal line, a restart: one row per answered check', async t => {
	const {directory, sites, dataDir, journal} = await setUp(t);
	const csv = await sites.csv(directory, 'sites.csv', ['/site/1', '/site/2', '/site/3', '/site/4'], 1);
	const run = startCli(['--sites-csv', csv, '--data-dir', dataDir, '--no-tui']);
	// A test that fails before its kill does not leave the CLI running.
	t.teardown(() => {
		run.child.kill('SIGKILL');
	});
	await waitUntil(() => sites.answered() >= 10, 30_000, '10 answered checks');
	const killed = await killOnceKept(run, sites, journal);
	t.is(killed.signal, 'SIGKILL');
	const left = await segments(journal);
	t.true(left.length > 0, 'the write-ahead journal is left behind');

	// A crash in the middle of a write leaves part of a line, without its newline.
	await appendFile(path.join(journal, left.at(-1)!), '0badc0de {"u":"http://127.0.0.1:1/site/9","r":[0,"2026-');
	const restart = await runCli(['--sites-csv', csv, '--data-dir', dataDir, '--no-tui', '--number-healthchecks', '1']);
	t.is(restart.code, 0, restart.stderr);
	t.regex(restart.stderr, /the last line is incomplete \(a write cut short by a crash\); skipped \d+ bytes/);
	t.regex(restart.stderr, /results left by an earlier run; they are stored before new ones/);
	const stored = await storedRows(pgliteTarget(dataDir));
	t.is(stored.checks, sites.answered(), 'every answered check is one row');
	t.is(stored.keys, stored.rows, 'no duplicates');
	t.deepEqual(await segments(journal), [], 'the journal is removed once its rows are stored');
	t.false(existsSync(path.join(dataDir, 'journal')));
});
