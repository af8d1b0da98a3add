import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {chmod, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {runCli} from './helpers/run-cli.js';

/*
Every input gets one clear line: `webmon-tui: ` first, naming the file, line, field or flag, with
text from files escaped, and exit 2 before any database is touched. These run the built CLI, since
the message path (meow, the error handler, stderr) is what is under test.
*/

async function scratch(t: ExecutionContext) {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-cli-input-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	return directory;
}

function oneLine(t: ExecutionContext, run: {code: number | null; stderr: string}, expected: string | RegExp) {
	t.is(run.code, 2, run.stderr);
	const lines = run.stderr.split('\n').filter(Boolean);
	t.is(lines.length, 1, run.stderr);
	t.true(lines[0]!.startsWith('webmon-tui: '), run.stderr);
	if (typeof expected === 'string') {
		t.is(lines[0], `webmon-tui: ${expected}`);
	} else {
		t.regex(lines[0]!, expected);
	}
}

test('an unknown flag is one prefixed line naming it', async t => {
	oneLine(t, await runCli(['--sites-table', '--bogus-flag']), 'unknown flag --bogus-flag (see --help)');
	oneLine(t, await runCli(['-x', '--sites-table']), 'unknown flag -x (see --help)');
});

test('a flag given twice is one line, not meow\'s stack trace', async t => {
	oneLine(t, await runCli(['--sites-table', '--data-dir', 'a', '--data-dir', 'b']), '--data-dir is given twice (--data-dir earlier); give it once');
	oneLine(t, await runCli(['--sites-table', '--no-tui', '--tui']), '--tui is given twice (--no-tui earlier); give it once');
});

test('--sites-csv without a value says it needs a FILE', async t => {
	oneLine(t, await runCli(['--sites-csv']), '--sites-csv needs a FILE: --sites-csv FILE');
	oneLine(t, await runCli(['--sites-csv', '--no-tui']), '--sites-csv needs a FILE before --no-tui: --sites-csv FILE');
	oneLine(t, await runCli(['--sites-table', '--timeout']), '--timeout needs a SECONDS: --timeout SECONDS');
});

test('a URL too long for the index fails before the database exists', async t => {
	const directory = await scratch(t);
	const csv = path.join(directory, 'long.csv');
	await writeFile(csv, `http://127.0.0.1:9/ok,5\nhttp://127.0.0.1:9/${'x'.repeat(3000)},5\n`);
	const dataDir = path.join(directory, 'data');
	oneLine(t, await runCli(['--sites-csv', csv, '--data-dir', dataDir, '--no-tui']), new RegExp(String.raw`^webmon-tui: ${csv}:2: url "http://127\.0\.0\.1:9/x+…" is 3,019 bytes long once normalised, more than the 2,048 allowed \(website\.url_uq is a unique index`));
	t.false(existsSync(dataDir), 'the database was not created');
});

test('a lookbehind is reported as one, with the file and line', async t => {
	const csv = path.join(await scratch(t), 'look.csv');
	await writeFile(csv, 'http://127.0.0.1:9/,5,"(?<=x)y"\n');
	oneLine(t, await runCli(['--sites-csv', csv, '--no-tui']), `${csv}:1: regex "(?<=x)y" is invalid: "(?<=x)" is a lookbehind, which RE2 does not have (no lookaround or backreferences: they could take exponential time)`);
});

test('a Latin-1 file is refused at file:line:field, and read as written with --csv-encoding latin1', async t => {
	const directory = await scratch(t);
	const csv = path.join(directory, 'latin1.csv');
	await writeFile(csv, Buffer.from('http://127.0.0.1:9/caf\u00E9,1\n', 'latin1'));
	oneLine(t, await runCli(['--sites-csv', csv, '--no-tui']), `${csv}:1: field 1 (url) is not valid UTF-8: byte 0xE9; save it as UTF-8 or name its encoding with --csv-encoding (e.g. latin1, windows-1252, utf-16le)`);

	const run = await runCli(['--sites-csv', csv, '--csv-encoding', 'latin1', '--data-dir', path.join(directory, 'data'), '--no-tui', '--format', 'ndjson', '--number-healthchecks', '1', '--workers', '0']);
	t.is(run.code, 0, run.stderr);
	t.is((JSON.parse(run.stdout) as {url: string}).url, 'http://127.0.0.1:9/caf%C3%A9');
});

test('text from the file is escaped in the message: no raw bidi override or escape sequence', async t => {
	const csv = path.join(await scratch(t), 'hostile.csv');
	await writeFile(csv, 'http://127.0.0.1:9/,5\u202Eevil\u001B[2J\n');
	const run = await runCli(['--sites-csv', csv, '--no-tui']);
	oneLine(t, run, String.raw`${csv}:1: interval "5\u202eevil\u001b[2J" is not a positive number`);
	t.false(run.stderr.includes('\u001B') || run.stderr.includes('\u202E'));
});

test('an unreadable sites file and an uncreatable data directory give the system\'s reason', async t => {
	const directory = await scratch(t);
	await chmod(directory, 0o755);
	const csv = path.join(directory, 'sites.csv');
	await writeFile(csv, 'http://127.0.0.1:9/,5\n');
	const locked = path.join(directory, 'locked');
	await mkdir(locked, {mode: 0o555});
	await chmod(csv, 0o000);
	// Root reads anything: the CLI runs as nobody then, as a user would meet these.
	const asUser = process.getuid?.() === 0 ? {uid: 65_534, gid: 65_534} : {};
	oneLine(t, await runCli(['--sites-csv', csv, '--no-tui'], {}, asUser), `cannot read sites file ${csv}: permission denied (EACCES)`);
	await chmod(csv, 0o644);
	const dataDir = path.join(locked, 'data');
	oneLine(t, await runCli(['--sites-csv', csv, '--data-dir', dataDir, '--no-tui'], {}, asUser), `cannot create PGlite data directory ${dataDir}: permission denied (EACCES); choose a --data-dir you can write to`);
});

test('a data directory on a read-only file system is reported as such, not as ENOENT', async t => {
	const directory = await scratch(t);
	const csv = path.join(directory, 'sites.csv');
	await writeFile(csv, 'http://127.0.0.1:9/,5\n');
	const readOnly = path.join(directory, 'read-only');
	await mkdir(readOnly);
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly], {stdio: 'pipe'});
	} catch (error) {
		// Needs root (CI is root); said, not skipped silently.
		t.log(`cannot mount a read-only tmpfs here (${(error as Error).message.split('\n', 1)[0]}); using a directory inside a file instead`);
		const inFile = path.join(csv, 'data');
		oneLine(t, await runCli(['--sites-csv', csv, '--data-dir', inFile, '--no-tui']), `cannot create PGlite data directory ${inFile}: not a directory (ENOTDIR)`);
		return;
	}

	t.teardown(() => {
		execFileSync('umount', [readOnly]);
	});
	const dataDir = path.join(readOnly, 'webmon', 'data');
	oneLine(t, await runCli(['--sites-csv', csv, '--data-dir', dataDir, '--no-tui']), `cannot create PGlite data directory ${dataDir}: read-only file system (EROFS); choose a writable --data-dir`);
});
