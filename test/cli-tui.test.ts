import {readFile} from 'node:fs/promises';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {backendKinds, registerPostgresNotice, type BackendKind} from './helpers/database.js';
import {binPath, runCli} from './helpers/run-cli.js';
import {startTmux, waitForExit, waitForFile} from './helpers/tmux.js';
import {assertOneRowPerRequest, setUpLoopbackRun, storedRows, waitUntil} from './durability/loopback-sites.js';

/**
The built CLI in a real pseudo-terminal (tmux), on PGlite and on PostgreSQL: the ways to end a run
that need a terminal. Five sites answer at once and a sixth is held, so a check is in flight when the
run is told to end; the rows stored must match the requests the sites saw, one for one.
*/

async function setUp(t: ExecutionContext, kind: BackendKind) {
	const {directory, sites, target, flags} = await setUpLoopbackRun(t, kind);
	const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
	const csv = await sites.csv(directory, 'sites.csv', [...names.map(name => `/site/${name}`), '/held/1'], 1);
	const stderr = path.join(directory, 'stderr.log');
	const words = [process.execPath, binPath, '--sites-csv', csv, ...flags, '--timeout', '60', '--workers', '1'];
	const command = words.map(word => JSON.stringify(word)).join(' ') + ` 2>${JSON.stringify(stderr)}`;
	return {directory, sites, target, flags, stderr, command};
}

for (const kind of backendKinds()) {
	test.serial(`[${kind}] the UI in a real terminal: header, / filter, q drains the check in flight and every request is one row`, async t => {
		const {directory, sites, target, stderr, command} = await setUp(t, kind);
		const raw = path.join(directory, 'raw.log');
		const exitFile = path.join(directory, 'exit-code');
		const tmux = await startTmux(t, `${command}; echo $? > ${JSON.stringify(exitFile)}; sleep 30`, {raw});

		const first = await tmux.waitForScreen(/sites 6: up 5/);
		t.regex(first, /alpha[\s\S]*bravo|bravo[\s\S]*alpha/, 'site rows listed');
		await tmux.send('/');
		await tmux.waitForScreen(/\/▏/);
		await tmux.send('-l', 'charl');
		const filtered = await tmux.waitForScreen(/1 of 6 match/);
		t.regex(filtered, /charlie/);
		t.notRegex(filtered, /\/alpha|\/bravo|\/delta|\/echo/, 'other sites filtered out');
		await tmux.send('Enter');
		// The status line proves Enter was taken (the row shows charlie before it too).
		await tmux.waitForScreen(/1 of 6 sites match "charl"/);
		await waitUntil(() => sites.heldOpen() >= 1, 30_000, 'the held check in flight');
		await tmux.send('q');
		await tmux.waitForScreen(/stopping: 1 checks in flight/);
		sites.answerHeld();
		t.is((await waitForFile(exitFile, /\d/, 60_000)).trim(), '0', 'clean exit');

		const bytes = await readFile(raw, 'utf8');
		t.true(bytes.includes('\u001B[?1049h'), 'alternate screen entered');
		t.true(bytes.includes('\u001B[?1049l'), 'alternate screen left');
		t.true(bytes.lastIndexOf('\u001B[?25h') > bytes.lastIndexOf('\u001B[?25l'), 'cursor shown again');
		t.regex(await readFile(stderr, 'utf8'), /stopped: \d+ results, \d+ stored this run/);
		const stored = await storedRows(target);
		assertOneRowPerRequest(t, stored, sites.seen());
		t.is(stored.heldAnswered, 1, 'the check in flight finished and was stored');
	});

	test.serial(`[${kind}] Ctrl-C twice in the UI forces: the check in flight is aborted and journaled, exit 130; the next start stores every request once`, async t => {
		const {directory, sites, target, flags, stderr, command} = await setUp(t, kind);
		const exitFile = path.join(directory, 'exit-code');
		const tmux = await startTmux(t, `${command}; echo $? > ${JSON.stringify(exitFile)}; sleep 30`);
		await tmux.waitForScreen(/sites 6: up 5/);
		await waitUntil(() => sites.heldOpen() >= 1, 30_000, 'the held check in flight');
		await tmux.send('C-c');
		await tmux.waitForScreen(/stopping: 1 checks in flight/);
		await tmux.send('C-c');
		// The held check is never answered: only the abort can end this run before --timeout.
		t.is((await waitForFile(exitFile, /\d/, 60_000)).trim(), '130');
		t.regex(await readFile(stderr, 'utf8'), /Ctrl-C again: aborted 1 checks in flight; [1-9]\d* results journaled in \S+; they are stored at the next start/);

		const fast = await sites.csv(directory, 'fast.csv', ['/site/alpha'], 1);
		const restart = await runCli(['--sites-csv', fast, ...flags, '--no-tui', '--number-healthchecks', '1']);
		t.is(restart.code, 0, restart.stderr);
		const stored = await storedRows(target);
		assertOneRowPerRequest(t, stored, sites.seen());
		t.is(stored.heldForced, 1, 'the check in flight was stored as aborted');
	});

	test.serial(`[${kind}] the terminal goes away under the UI (hangup, end of input, failed writes): the run drains, every request is one row`, async t => {
		const {sites, target, stderr, command} = await setUp(t, kind);
		// Exec: the CLI is the pane's process, so the hangup reaches it as it reaches a login shell's job.
		const tmux = await startTmux(t, `exec ${command}`);
		await tmux.waitForScreen(/sites 6: up 5/);
		await waitUntil(() => sites.heldOpen() >= 1, 30_000, 'the held check in flight');
		const pid = await tmux.panePid();
		await tmux.killSession();
		// Which the CLI notices first, its input ending or SIGHUP, is the kernel's business.
		await waitForFile(stderr, /(?:terminal gone \(\w+\)|SIGHUP): stopping; waiting for \d+ checks in flight/, 60_000);
		sites.answerHeld();
		await waitForExit(pid);
		const said = await readFile(stderr, 'utf8');
		t.regex(said, /stopped: \d+ results, \d+ stored this run/);
		t.notRegex(said, /aborted|unexpected error/);
		const stored = await storedRows(target);
		assertOneRowPerRequest(t, stored, sites.seen());
		t.is(stored.heldAnswered, 1, 'the check in flight finished and was stored');
	});

	test.serial(`[${kind}] the terminal goes away under a UI that reads no keys, with SIGHUP ignored: the failed writes (EIO) alone end the run like SIGTERM, exit 0`, async t => {
		const {directory, sites, target, stderr, command} = await setUp(t, kind);
		const exitFile = path.join(directory, 'exit-code');
		// No input to end (< /dev/null) and no hangup signal (the shell ignores it, and so would
		// nohup): only writing to the terminal fails. Slonik's logger used to turn that EIO into a crash.
		const tmux = await startTmux(t, `trap '' HUP; ${command} < /dev/null; echo $? > ${JSON.stringify(exitFile)}; sleep 30`);
		await tmux.waitForScreen(/sites 6: up 5/);
		await waitUntil(() => sites.heldOpen() >= 1, 30_000, 'the held check in flight');
		await tmux.killSession();
		await waitForFile(stderr, /terminal gone \(EIO\): stopping; waiting for \d+ checks in flight/, 60_000);
		sites.answerHeld();
		t.is((await waitForFile(exitFile, /\d/, 60_000)).trim(), '0');
		t.notRegex(await readFile(stderr, 'utf8'), /unexpected error|EIO\n\s+at /);
		const stored = await storedRows(target);
		assertOneRowPerRequest(t, stored, sites.seen());
		t.is(stored.heldAnswered, 1, 'the check in flight finished and was stored');
	});
}

registerPostgresNotice();
