import test, {type ExecutionContext} from 'ava';
import {backendKinds, registerPostgresNotice, type BackendKind} from '../helpers/database.js';
import {runCli, startCli, type CliRun} from '../helpers/run-cli.js';
import {assertOneRowPerRequest, setUpLoopbackRun, storedRows, waitUntil} from './loopback-sites.js';

/**
Every way to end a run but the terminal ones (those are in cli-tui.test.ts), with the real CLI in a
child process, on PGlite and on PostgreSQL. The loopback sites count the requests they saw; the rows
stored must match them one for one: none lost, none twice. A `/held/` check is in flight whenever
the run is told to end, so an ending that cuts checks off shows, and a drain is seen to wait for it
without guessing how long it takes.
*/

async function setUp(t: ExecutionContext, kind: BackendKind) {
	const run = await setUpLoopbackRun(t, kind);
	return {...run, csv: await run.sites.csv(run.directory, 'sites.csv', ['/held/1', '/site/1', '/site/2'], 1)};
}

/** Starts the CLI on `csv` and waits until the held check is in flight and the others have answered. */
async function startWithHeldCheck(t: ExecutionContext, {sites, flags, csv}: Awaited<ReturnType<typeof setUp>>, env?: NodeJS.ProcessEnv): Promise<CliRun> {
	// --timeout 60: the held check must end because of how the run ends, never by its deadline.
	const run = startCli(['--sites-csv', csv, ...flags, '--no-tui', '--timeout', '60'], env);
	t.teardown(() => {
		run.child.kill('SIGKILL');
	});
	await waitUntil(() => sites.heldOpen() >= 1 && sites.answered() >= 3, 60_000, 'the held check in flight');
	return run;
}

for (const kind of backendKinds()) {
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		test.serial(`[${kind}] ${signal} drains: the check in flight finishes and is stored, every request is one row, exit 0`, async t => {
			const setup = await setUp(t, kind);
			const {sites, target} = setup;
			const run = await startWithHeldCheck(t, setup);
			run.child.kill(signal);
			await run.waitFor(new RegExp(String.raw`${signal}: stopping; waiting for \d+ checks in flight`), 60_000);
			sites.answerHeld();
			const stopped = await run.exited;
			t.is(stopped.code, 0, stopped.stderr);
			t.regex(stopped.stderr, /stopped: \d+ results, \d+ stored this run/);
			const stored = await storedRows(target);
			assertOneRowPerRequest(t, stored, sites.seen());
			t.is(stored.heldAnswered, 1, 'the check in flight finished and was stored');
			t.is(stored.aborted, 0);
		});
	}

	for (const [first, second, code, label] of [
		['SIGINT', 'SIGINT', 130, 'SIGINT again'],
		['SIGHUP', 'SIGHUP', 129, 'SIGHUP again'],
		['SIGHUP', 'SIGTERM', 143, 'SIGTERM while stopping'],
	] as const) {
		test.serial(`[${kind}] ${first} then ${second} forces: the check in flight is aborted and journaled, exit ${code}; the next start stores every request once`, async t => {
			const setup = await setUp(t, kind);
			const {directory, sites, target, flags} = setup;
			const run = await startWithHeldCheck(t, setup);
			run.child.kill(first);
			await run.waitFor(new RegExp(`${first}: stopping`), 60_000);
			run.child.kill(second);
			// The held check is never answered: only the abort can end this run before --timeout.
			const stopped = await run.exited;
			t.is(stopped.code, code, stopped.stderr);
			// The aborted check's result may reach the database before the writer closes: then 0 are journaled.
			const said = new RegExp(String.raw`${label}: aborted [1-9]\d* checks in flight; (\d+) results journaled in \S+(?:; they are stored at the next start(?: \((\d+) of them were being written to the database as it stopped[^)]*\))?)?\n`).exec(stopped.stderr);
			t.truthy(said, stopped.stderr);
			t.notRegex(stopped.stderr, /could not|did not report/);
			const journaled = Number(said?.[1]);
			// Rows a batch was writing as the writer closed are journaled and may be stored too.
			const mayBeStored = Number(said?.[2] ?? 0);
			const before = await storedRows(target);

			const fast = await sites.csv(directory, 'fast.csv', ['/site/1', '/site/2'], 1);
			const restart = await runCli(['--sites-csv', fast, ...flags, '--no-tui', '--number-healthchecks', '1']);
			t.is(restart.code, 0, restart.stderr);
			const after = await storedRows(target);
			const added = after.rows - before.rows - 2;
			t.true(added <= journaled && added >= journaled - mayBeStored, `the journal held what the message said: ${added} rows added, ${journaled} journaled (${mayBeStored} maybe stored already), plus the restart's two checks`);
			assertOneRowPerRequest(t, after, sites.seen());
			t.is(after.heldForced, 1, 'the check in flight was stored as aborted');
		});
	}

	test.serial(`[${kind}] stdout closed by its reader (| head -3): the run stops like SIGTERM, drains, stores every request once, exit 0`, async t => {
		const setup = await setUp(t, kind);
		const {sites, target} = setup;
		const run = await startWithHeldCheck(t, setup);
		await run.waitFor(/(?:UP {3}200 [\s\S]*){3}/);
		// What `head -3` does once it has its lines: the reading end of the pipe closes.
		run.child.stdout!.destroy();
		await run.waitFor(/stdout closed \(EPIPE\): stopping; waiting for \d+ checks in flight/, 60_000);
		sites.answerHeld();
		const stopped = await run.exited;
		t.is(stopped.code, 0, stopped.stderr);
		const stored = await storedRows(target);
		assertOneRowPerRequest(t, stored, sites.seen());
		t.is(stored.heldAnswered, 1, 'the check in flight finished and was stored');
	});
}

registerPostgresNotice();
