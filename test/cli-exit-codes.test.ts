import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {sql} from 'slonik';
import type {ErrorCode} from '../source/errors.js';
import {errorExitCodes, exitCodes} from '../source/exit-codes.js';
import {migrate, openDatabase} from '../source/storage/index.js';
import {startLoopbackSites} from './durability/loopback-sites.js';
import {backendKinds, createTestDatabase, registerPostgresNotice} from './helpers/database.js';
import {binPath, databaseFlags, runCli} from './helpers/run-cli.js';

async function scratch(t: ExecutionContext) {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-exit-test-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	return directory;
}

/** Prepares a database with `prepare`, runs the CLI on it and expects one line matching `message`, exit 2, no check made. */
async function expectStartRefused(t: ExecutionContext, kind: 'pglite' | 'postgres', prepare: (pool: Awaited<ReturnType<typeof openDatabase>>['pool']) => Promise<void>, message: RegExp) {
	const directory = await scratch(t);
	const sites = await startLoopbackSites();
	const database = await createTestDatabase(kind);
	t.teardown(async () => {
		await sites.close();
		await database.dispose();
	});
	const opened = await openDatabase(database.target);
	try {
		await prepare(opened.pool);
	} finally {
		await opened.close();
	}

	const csv = await sites.csv(directory, 'sites.csv', ['/site/1'], 1);
	const run = await runCli(['--sites-csv', csv, ...await databaseFlags(database.target, directory), '--no-tui', '--number-healthchecks', '1']);
	t.is(run.code, 2, run.stderr);
	t.is(run.stderr.trimEnd().split('\n').length, 1, `one line: ${run.stderr}`);
	t.regex(run.stderr, message);
	t.is(sites.seen(), 0, 'no site was checked');
}

for (const kind of backendKinds()) {
	test.serial(`[${kind}] a database migrated by a newer webmon-tui (SCHEMA_TOO_NEW): one line, exit 2`, async t => {
		await expectStartRefused(t, kind, async pool => {
			await migrate(pool);
			await pool.query(sql.unsafe`INSERT INTO webmon_schema_migrations (version, name) VALUES (99, 'from the future')`);
		}, /^webmon-tui: the database schema is version 99, newer than this webmon-tui knows \(\d+\); upgrade webmon-tui\n$/);
	});

	test.serial(`[${kind}] a migration that fails (MIGRATION_FAILED): one line, exit 2`, async t => {
		await expectStartRefused(t, kind, async pool => {
			// Someone else's table where the schema wants its own.
			await pool.query(sql.unsafe`CREATE TABLE website (x integer)`);
		}, /^webmon-tui: schema migration 1 initial schema failed: relation "website" already exists\n$/);
	});
}

registerPostgresNotice();

test('a bug prints its stack trace and a line asking to report it, exit 1', async t => {
	const directory = await scratch(t);
	// A bug cannot be asked for through flags, so one is planted: code loaded before the launcher
	// throws as soon as the launcher has set up its handler, i.e. in the middle of a real start.
	const planted = `
		const timer = setInterval(() => {
			if (process.listenerCount('uncaughtException') > 0) {
				clearInterval(timer);
				throw new TypeError('planted bug');
			}
		}, 5);
	`;
	const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(planted)}`, binPath, '--sites-table', '--data-dir', directory], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	const code = await new Promise<number | null>(resolve => {
		child.on('close', resolve);
	});
	t.is(code, 1, stderr);
	const lines = stderr.trimEnd().split('\n');
	t.is(lines[0], 'webmon-tui: unexpected error: TypeError: planted bug');
	t.regex(lines[1]!, /^\s+at /, 'the stack trace follows');
	t.regex(lines.at(-1)!, /^webmon-tui: this is a bug in webmon-tui \d+\.\d+\.\d+; please report it, with the lines above, at /);
});

test('README (Exit codes) and --help list every exit code and every error code of the table', async t => {
	const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
	const help = await runCli(['--help']);
	t.is(help.code, 0);
	// --help wraps long meanings; compare with whitespace collapsed.
	const helpText = help.stdout.replaceAll(/\s+/g, ' ');
	for (const {exitCode, meaning} of exitCodes) {
		t.true(readme.includes(`| \`${exitCode}\` | ${meaning} |`), `README lists exit code ${exitCode}: ${meaning}`);
		t.true(helpText.includes(` ${exitCode} ${meaning}`), `--help lists exit code ${exitCode}`);
	}

	for (const code of Object.keys(errorExitCodes) as ErrorCode[]) {
		const {exitCode, meaning} = errorExitCodes[code];
		t.true(readme.includes(`| \`${code}\` | \`${exitCode}\` | ${meaning} |`), `README lists ${code}`);
		t.true(helpText.includes(` ${code} ${meaning}`), `--help lists ${code}`);
	}
});
