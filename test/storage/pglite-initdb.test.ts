import {execFile} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {mkdtemp, readdir, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import test, {type ExecutionContext} from 'ava';
import {sql} from 'slonik';
import {openDatabase} from '../../source/storage/open-database.js';
import {startLoopbackSites} from '../durability/loopback-sites.js';
import {notRun} from '../helpers/not-run.js';
import {runCli} from '../helpers/run-cli.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

async function scratch(t: ExecutionContext): Promise<string> {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-initdb-test-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	return directory;
}

/**
Mounts a tmpfs with `options` on a new directory and returns it, or undefined (logged) where mounting
is not permitted. Unmounted at teardown.
*/
async function mountTmpfs(t: ExecutionContext, options: string): Promise<string | undefined> {
	const directory = await scratch(t);
	const mountPoint = path.join(directory, 'mnt');
	mkdirSync(mountPoint);
	try {
		await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint]);
	} catch (error) {
		t.log(`mount -t tmpfs -o ${options} is not permitted here (${(error as Error).message.split('\n', 1)[0]}): this variant did not run`);
		return undefined;
	}

	t.teardown(async () => {
		await run('umount', ['-l', mountPoint]);
	});
	return mountPoint;
}

/** Runs a one-check CLI on PGlite in `dataDir`; expects exit 2, one line matching `message`, no check made. */
async function expectStartRefused(t: ExecutionContext, dataDir: string, message: RegExp) {
	const directory = await scratch(t);
	const sites = await startLoopbackSites();
	t.teardown(async () => sites.close());
	const csv = await sites.csv(directory, 'sites.csv', ['/site/1'], 1);
	const result = await runCli(['--sites-csv', csv, '--data-dir', dataDir, '--no-tui', '--number-healthchecks', '1']);
	t.is(result.code, 2, result.stderr);
	t.is(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
	t.regex(result.stderr, message);
	t.is(sites.seen(), 0, 'no site was checked');
}

test.serial('[pglite] a disk too small for the first start: one line saying so, exit 2, nothing of the data directory left', async t => {
	if (!isRoot) {
		notRun(t, 'not root: mount -t tmpfs is not permitted, so the too-small disk variant did not run');
		return;
	}

	const disk = await mountTmpfs(t, 'size=2m');
	if (!disk) {
		notRun(t, 'mount -t tmpfs is not permitted here');
		return;
	}

	// A data directory the run creates goes entirely; one that existed is left as it was (empty).
	await expectStartRefused(t, path.join(disk, 'new', 'data'), /^webmon-tui: cannot create a PGlite database in \S+\/new\/data: no space left on device \(ENOSPC\); free some space or choose another --data-dir\n$/);
	t.deepEqual(await readdir(disk), []);
	await expectStartRefused(t, disk, /no space left on device \(ENOSPC\)/);
	t.deepEqual(await readdir(disk), [], 'no half-built cluster, staging directory or lock file');
});

test.serial('[pglite] a read-only data directory: one line saying why, exit 2, nothing left', async t => {
	let readOnly: string | undefined;
	if (isRoot) {
		// Root ignores permission bits; only a read-only mount stops it.
		readOnly = await mountTmpfs(t, 'ro,size=1m');
	} else {
		readOnly = path.join(await scratch(t), 'read-only');
		mkdirSync(readOnly, {mode: 0o555});
		chmodSync(readOnly, 0o555);
	}

	if (!readOnly) {
		notRun(t, 'mount -t tmpfs is not permitted here');
		return;
	}

	await expectStartRefused(t, path.join(readOnly, 'data'), /^webmon-tui: cannot create PGlite data directory \S+\/data: (read-only file system \(EROFS\); choose a writable|permission denied \(EACCES\); choose a) --data-dir/);
	await expectStartRefused(t, readOnly, /^webmon-tui: cannot lock PGlite data directory \S+: (EROFS|EACCES)/);
	t.deepEqual(await readdir(readOnly), []);
});

test.serial('[pglite] a cluster initdb left half-built (killed) is rebuilt at the next start', async t => {
	const dataDir = path.join(await scratch(t), 'data');
	mkdirSync(path.join(dataDir, '.webmon-initdb', 'base'), {recursive: true});
	writeFileSync(path.join(dataDir, '.webmon-initdb', 'PG_VERSION'), '17\n');
	const database = await openDatabase({kind: 'pglite', dataDir, describe: dataDir});
	try {
		t.is(await database.pool.oneFirst(sql.unsafe`SELECT 1 + 1`), 2);
	} finally {
		await database.close();
	}

	t.false(existsSync(path.join(dataDir, '.webmon-initdb')), 'the staging directory is gone');
	t.true(existsSync(path.join(dataDir, 'PG_VERSION')));
});
