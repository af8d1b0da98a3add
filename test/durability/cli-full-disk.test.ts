import {existsSync} from 'node:fs';
import {cp, mkdir, mkdtemp, readdir, rm, stat} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {pgliteTarget} from '../../source/config/index.js';
import {journalDirectoryFor} from '../../source/storage/journal-directory.js';
import {backendKinds, createTestDatabase, registerPostgresNotice} from '../helpers/database.js';
import {databaseFlags, runCli, startCli} from '../helpers/run-cli.js';
import {smallDisk, type SmallDisk} from '../helpers/small-disk.js';
import {startLoopbackSites, storedRows, waitUntil} from './loopback-sites.js';

/**
The real CLI on a disk that fills up: a tmpfs of its own (or, where mounting is not permitted, an
injected file system that fails writes with ENOSPC, said in the log). Each test counts the results
the CLI printed, the requests its loopback sites saw, the rows stored (after a restart with room
where some were left), and checks every line about what was journaled or lost against them.
*/

const mebibyte = 1024 * 1024;

/** Bytes `directory` takes on a tmpfs: every file rounded up to whole pages. */
async function pageBytes(directory: string): Promise<number> {
	let total = 0;
	for (const entry of await readdir(directory, {withFileTypes: true, recursive: true})) {
		if (entry.isFile()) {
			total += Math.ceil((await stat(path.join(entry.parentPath, entry.name))).size / 4096) * 4096;
		}
	}

	return total;
}

async function segments(journal: string): Promise<string[]> {
	return existsSync(journal) ? (await readdir(journal)).filter(name => name.endsWith('.ndjson')).sort() : [];
}

/** Empty files in the journal directory (segments, marks): a full disk must leave none. */
async function emptyFiles(journal: string): Promise<string[]> {
	if (!existsSync(journal)) {
		return [];
	}

	const names = await readdir(journal);
	const sizes = await Promise.all(names.map(async name => (await stat(path.join(journal, name))).size));
	return names.filter((_, index) => sizes[index] === 0);
}

/** Result lines the headless CLI printed: one per check or skipped slot. */
function printed(stdout: string): number {
	return stdout.split('\n').filter(line => line.trim() !== '').length;
}

/** The number in the first match of `pattern` in `text`; `otherwise` when there is none, if given. */
function numberIn(text: string, pattern: RegExp, otherwise?: number): number {
	const match = pattern.exec(text);
	if (!match && otherwise === undefined) {
		throw new Error(`no match for ${pattern} in:\n${text}`);
	}

	return match ? Number(match[1]) : otherwise!;
}

const escape = (text: string) => text.replaceAll(/[$()*+.?[\\\]^{|}]/g, String.raw`\$&`);

/** Starts the CLI on `disk`; a test that fails midway does not leave it running. */
function startOn(t: ExecutionContext, disk: SmallDisk, args: string[]) {
	const run = startCli(args, disk.env);
	t.teardown(() => {
		run.child.kill('SIGKILL');
	});
	return run;
}

async function setUp(t: ExecutionContext, siteCount: number) {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-full-disk-'));
	const sites = await startLoopbackSites();
	t.teardown(async () => {
		await sites.close();
		await rm(directory, {recursive: true, force: true});
	});
	const paths = Array.from({length: siteCount}, (_, index) => `/site/${index + 1}`);
	return {directory, sites, csv: await sites.csv(directory, 'sites.csv', paths, 1)};
}

/** A PGlite directory (a copy of an initialised one) alone on a small disk, with `slack` bytes to spare. */
async function pgliteOnSmallDisk(t: ExecutionContext, slack: number) {
	const template = await createTestDatabase('pglite');
	const {dataDir: source} = template.target as {dataDir: string};
	const disk = await smallDisk(t, (await pageBytes(source)) + slack);
	const dataDir = path.join(disk.path, 'pglite');
	await cp(source, dataDir, {recursive: true});
	await template.dispose();
	return {disk, dataDir, journal: path.join(dataDir, 'journal', 'pglite')};
}

for (const kind of backendKinds()) {
	test.serial(`[${kind}] the journal on a 5 MB disk that fills: said at once, checks go on while the database keeps results, no empty file, all stored`, async t => {
		const {directory, sites, csv} = await setUp(t, 10);
		const database = await createTestDatabase(kind);
		t.teardown(async () => database.dispose());
		const flags = await databaseFlags(database.target, directory);
		// The journal is <data dir>/journal/<target>: that folder is the small disk.
		const dataDir = flags[flags.indexOf('--data-dir') + 1]!;
		await mkdir(path.join(dataDir, 'journal'));
		const disk = await smallDisk(t, 5 * mebibyte, path.join(dataDir, 'journal'));
		const journal = journalDirectoryFor(database.target, dataDir);
		const run = startOn(t, disk, ['--sites-csv', csv, ...flags, '--no-tui', '--workers', '1']);
		await waitUntil(() => sites.answered() >= 20, 60_000, '20 answered checks');

		await disk.fill();
		await run.waitFor(new RegExp(String.raw`webmon-tui: journal ${escape(journal)}: cannot write: the disk is full \(ENOSPC\); new results wait in memory only`), 60_000);
		const answeredAtFault = sites.answered();
		await waitUntil(() => sites.answered() >= answeredAtFault + 30, 60_000, '30 more checks on the full disk');
		t.deepEqual(await emptyFiles(journal), [], 'no empty segment file');

		await disk.makeRoom();
		await run.waitFor(/journal .*: written again after \d+ s \(the disk is full \(ENOSPC\)\)/, 90_000);
		run.child.kill('SIGINT');
		const result = await run.exited;
		t.is(result.code, 0, result.stderr);
		t.notRegex(result.stderr, /are lost|the bound \(--memory-max-results\): checks hold/, 'the database kept every result meanwhile');
		const stored = await storedRows(database.target);
		t.is(stored.rows, printed(result.stdout), 'every printed result is stored');
		t.is(stored.checks, sites.seen(), 'every request is one row');
		t.is(stored.keys, stored.rows, 'no duplicates');
		t.deepEqual(await segments(journal), []);
	});
}

registerPostgresNotice();

test.serial('[pglite] PGlite and its journal on a disk that fills: both said, checks hold at the memory bound, all resumes once there is room', async t => {
	const {sites, csv} = await setUp(t, 20);
	const {disk, dataDir, journal} = await pgliteOnSmallDisk(t, 5 * mebibyte);
	const run = startOn(t, disk, ['--sites-csv', csv, '--data-dir', dataDir, '--no-tui', '--workers', '1', '--memory-max-results', '150']);
	await waitUntil(() => sites.answered() >= 40, 60_000, '40 answered checks');

	await disk.fill();
	await run.waitFor(new RegExp(String.raw`journal ${escape(journal)}: cannot write: the disk is full \(ENOSPC\)`), 60_000);
	await run.waitFor(/database write failed \(.*No space left on device.*\); results are kept in/, 60_000);
	await run.waitFor(/150 results wait in memory only, the bound \(--memory-max-results\): checks hold/, 60_000);
	// The periodic summary counts the slots that pass while checks hold: the CLI's own word that time
	// passed. Once each site let two slots pass, checks under way when the hold came have ended; after
	// that, two more slots each pass without one request.
	const heldSlots = () => Math.max(0, ...[...run.output().stderr.matchAll(/(\d+) slots held/g)].map(match => Number(match[1])));
	await waitUntil(() => heldSlots() >= 2 * 20, 60_000, 'two held slots per site');
	const seenHeld = sites.seen();
	const heldBefore = heldSlots();
	await waitUntil(() => heldSlots() >= heldBefore + (2 * 20), 60_000, 'two more held slots per site');
	t.is(sites.seen(), seenHeld, 'held: no check is made');
	t.deepEqual(await emptyFiles(journal), [], 'no empty segment file');

	// Room for PostgreSQL to reopen (a new write-ahead log segment) and for the journal.
	await disk.makeRoom(32 * mebibyte);
	await run.waitFor(/checks resume: the journal or the database takes results again/, 120_000);
	const seenAtResume = sites.seen();
	await waitUntil(() => sites.seen() >= seenAtResume + 40, 60_000, '40 checks after the hold');
	run.child.kill('SIGINT');
	const result = await run.exited;
	t.is(result.code, 0, result.stderr);
	t.notRegex(result.stderr, /lost/);
	t.regex(result.stderr, /summary: .*\| db closed, \d+ stored, 0 queued, [1-9]\d* slots held\n$/, 'the slots that passed while held are reported');
	const stored = await storedRows(pgliteTarget(dataDir));
	t.is(stored.rows, printed(result.stdout), 'every printed result is stored');
	t.is(stored.checks, sites.seen(), 'every request is one row');
	t.is(stored.keys, stored.rows, 'no duplicates');
});

test.serial('[pglite] a second Ctrl-C while the disk is full: the journaled and lost counts said are the truth after a restart with room', async t => {
	const {directory, sites, csv} = await setUp(t, 20);
	const {disk, dataDir, journal} = await pgliteOnSmallDisk(t, 5 * mebibyte);
	const run = startOn(t, disk, ['--sites-csv', csv, '--data-dir', dataDir, '--no-tui', '--workers', '1']);
	await waitUntil(() => sites.answered() >= 40, 60_000, '40 answered checks');

	await disk.fill();
	await run.waitFor(/journal .*: cannot write: the disk is full \(ENOSPC\)/, 60_000);
	await run.waitFor(/database write failed \(.*No space left on device.*\)/, 60_000);
	// A real disk that is nearly full flaps: PGlite's failed writes give pages back, and on a loaded
	// machine the journal took every result again. So the disk is filled again, and the test goes on
	// once the CLI's periodic summary says results wait in memory only, and fills it before each Ctrl-C.
	await disk.fill();
	const filledAt = run.output().stderr.length;
	await waitUntil(() => /^summary: .* in memory only/m.test(run.output().stderr.slice(filledAt)), 60_000, 'a summary with results in memory only');
	const answeredAtFault = sites.answered();
	await waitUntil(() => sites.answered() >= answeredAtFault + 60, 60_000, 'results that only memory can keep');
	await disk.fill();
	run.child.kill('SIGINT');
	// Once the drain starts every check has ended: nothing is printed after the forced stop.
	await run.waitFor(/storing \d+ queued results/, 60_000);
	await disk.fill();
	run.child.kill('SIGINT');
	const result = await run.exited;
	t.is(result.code, 130, result.stderr);
	t.regex(result.stderr, /Press Ctrl-C again to stop at once \(results not stored yet are journaled if the journal can be written again; it cannot now: the disk is full \(ENOSPC\)\)/, 'the offer does not promise what the disk cannot keep');
	const lost = numberIn(result.stderr, new RegExp(String.raw`(\d+) results could be neither stored nor journaled and are lost \(the journal ${escape(journal)} cannot be written: the disk is full \(ENOSPC\)\)`));
	// Whether any result is left in the journal (rather than stored) when the second Ctrl-C comes depends
	// on how far the database got; with none, there is nothing to store at the next start.
	const journaled = numberIn(result.stderr, new RegExp(String.raw`SIGINT again: aborted \d+ checks in flight; (\d+) results journaled in ${escape(journal)}(?:; they are stored at the next start)?`));
	t.true(lost > 0, 'results only memory held are lost, and said so');
	const onDisk = journaled > 0 ? `, ${journaled} journaled` : '';
	t.regex(result.stderr, new RegExp(String.raw`db closed, \d+ stored, ${journaled} queued${onDisk}, ${lost} lost\n$`), 'the final summary says the same');
	t.deepEqual(await emptyFiles(journal), [], 'no empty file');

	await disk.makeRoom(32 * mebibyte);
	const fast = await sites.csv(directory, 'fast.csv', ['/site/1', '/site/2'], 1);
	const restart = await runCli(['--sites-csv', fast, '--data-dir', dataDir, '--no-tui', '--number-healthchecks', '1'], disk.env);
	t.is(restart.code, 0, restart.stderr);
	// The stored mark may not fit on the full disk: then rows stored already are replayed (and ignored).
	t.true(numberIn(restart.stderr, /(\d+) results left by an earlier run/, 0) >= journaled);
	const stored = await storedRows(pgliteTarget(dataDir));
	t.is(stored.rows, printed(result.stdout) - lost + printed(restart.stdout), 'every printed result is stored, but those said to be lost');
	t.is(stored.keys, stored.rows, 'no duplicates');
	t.deepEqual(await segments(journal), []);
});

test.serial('[pglite] --number-healthchecks ending on a full disk: exit 74, the lines say how many are journaled and lost, and are true', async t => {
	const {directory, sites, csv} = await setUp(t, 10);
	const {disk, dataDir, journal} = await pgliteOnSmallDisk(t, 5 * mebibyte);
	const run = startOn(t, disk, ['--sites-csv', csv, '--data-dir', dataDir, '--no-tui', '--workers', '1', '--number-healthchecks', '15']);
	await waitUntil(() => sites.answered() >= 30, 60_000, '30 answered checks');

	await disk.fill();
	// The run makes its checks, then gives up storing after 30 s of failures.
	const result = await run.exited;
	t.is(result.code, 74, result.stderr);
	t.is(printed(result.stdout), 150, 'every check of the run was made and printed');
	const lost = numberIn(result.stderr, /(\d+) results could be neither stored nor journaled and are lost \(the journal .* cannot be written: the disk is full \(ENOSPC\)\)/);
	const journaled = numberIn(result.stderr, new RegExp(String.raw`the database could not store results for 30 s \(.+\): (\d+) results stay in the journal ${escape(journal)}; they are stored at the next start`));
	t.true(lost > 0);
	t.deepEqual(await emptyFiles(journal), [], 'no empty file');

	await disk.makeRoom(32 * mebibyte);
	const fast = await sites.csv(directory, 'fast.csv', ['/site/1'], 1);
	const restart = await runCli(['--sites-csv', fast, '--data-dir', dataDir, '--no-tui', '--number-healthchecks', '1'], disk.env);
	t.is(restart.code, 0, restart.stderr);
	t.true(numberIn(restart.stderr, /(\d+) results left by an earlier run/, 0) >= journaled);
	const stored = await storedRows(pgliteTarget(dataDir));
	t.is(stored.rows, 150 - lost + 1, 'every result is stored, but those said to be lost');
	t.is(stored.keys, stored.rows);
});
