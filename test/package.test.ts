import {execFile} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import test from 'ava';
import {countChecks, openDatabase} from '../source/storage/index.js';
import {startLoopbackSites} from './durability/loopback-sites.js';

const run = promisify(execFile);
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** What a clone holds besides these: what `npm pack` works from. */
const notInClone = new Set(['node_modules', 'dist', '.git', 'bench-results', '.webmon-data']);

/**
The environment of a user's shell: no npm_* variables of the `npm test` that runs this (they would
point the inner npm at this project), and this Node 24 first on PATH, as an installed package needs.
*/
function userEnvironment(): NodeJS.ProcessEnv {
	const environment: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!key.toLowerCase().startsWith('npm_') && key !== 'INIT_CWD' && key !== 'DATABASE_URL') {
			environment[key] = value;
		}
	}

	environment.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`;
	return environment;
}

test('npm pack builds through prepare; the tarball installs into an empty directory and runs there', async t => {
	// Builds the project and installs its dependencies from the npm cache: minutes on a busy machine.
	t.timeout(8 * 60_000);
	const work = await mkdtemp(path.join(tmpdir(), 'webmon-package-test-'));
	t.teardown(async () => rm(work, {recursive: true, force: true}));
	const env = userEnvironment();

	// A clone without a build, so only `prepare` can make dist/ (and the build the other tests run
	// is left alone). Its dependencies are this checkout's.
	const clone = path.join(work, 'clone');
	cpSync(projectRoot, clone, {recursive: true, filter: source => !notInClone.has(path.relative(projectRoot, source))});
	symlinkSync(path.join(projectRoot, 'node_modules'), path.join(clone, 'node_modules'));
	const packed = await run('npm', ['pack', '--pack-destination', work], {cwd: clone, env, maxBuffer: 16 * 1024 * 1024});
	const tarball = path.join(work, packed.stdout.trim().split('\n').at(-1)!);
	t.true(existsSync(tarball), packed.stdout);

	const app = path.join(work, 'app');
	mkdirSync(app);
	writeFileSync(path.join(app, 'package.json'), JSON.stringify({name: 'app', private: true}));
	await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {cwd: app, env, maxBuffer: 16 * 1024 * 1024});
	const installed = path.join(app, 'node_modules', 'webmon-tui');
	t.deepEqual(readdirSync(installed).sort(), ['README.md', 'bin', 'data', 'dist', 'package.json']);
	t.false(existsSync(path.join(app, 'node_modules', 'node')), 'the pinned Node (a dev dependency) is not installed');
	t.false(existsSync(path.join(app, 'node_modules', 'typescript')), 'nor is the compiler');

	const help = await run('npx', ['--no-install', 'webmon-tui', '--help'], {cwd: app, env});
	t.regex(help.stdout, /Usage\s+\$ webmon-tui/);
	t.regex(help.stdout, /Exit codes/);

	const sites = await startLoopbackSites();
	t.teardown(async () => sites.close());
	const csv = await sites.csv(work, 'sites.csv', ['/site/1'], 1);
	const dataDir = path.join(work, 'data');
	const checked = await run('npx', ['--no-install', 'webmon-tui', '--sites-csv', csv, '--data-dir', dataDir, '--number-healthchecks', '1', '--no-tui'], {cwd: app, env});
	t.regex(checked.stdout, /UP {3}200 .*\/site\/1/);
	t.is(sites.answered(), 1);
	const database = await openDatabase({kind: 'pglite', dataDir, describe: dataDir});
	try {
		t.is(await countChecks(database.pool), 1, 'the check is stored');
	} finally {
		await database.close();
	}
});
