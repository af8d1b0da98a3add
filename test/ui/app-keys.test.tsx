import test, {type ExecutionContext} from 'ava';
import type {PauseStore} from '../../source/engine/pause-store.js';
import type {RecentCheck} from '../../source/ui/types.js';
import {
	appProps, keys, lines, press, recorder, recordingMonitor, recordingPauseStore, renderApp, siteSpecs, startEngine, waitFor,
} from './harness.js';

// Latency grows with the id, so the latency sort has one right answer; 3 times out and 5 answers 500.
const answer = (url: string) => {
	const id = Number(url.split('/').pop());
	if (id === 3) {
		return {httpStatusCode: 598, errorKind: 'timeout' as const, latencyMs: 3000};
	}

	return id === 5 ? {httpStatusCode: 500, latencyMs: 5 * 10} : {latencyMs: id * 10};
};

async function setup(t: ExecutionContext, count = 30, overrides: Parameters<typeof appProps>[3] = {}, pauseStore?: PauseStore) {
	const calls = recorder();
	const {clock, engine} = startEngine(siteSpecs(count, 10), answer, {pauseStore: pauseStore ?? recordingPauseStore(calls)});
	await clock.advance(14_000);
	const {monitor, calls: monitorCalls} = recordingMonitor(engine);
	const app = await renderApp(appProps(monitor, clock, calls, overrides), {columns: 100, rows: 30});
	t.teardown(() => {
		app.unmount();
	});
	return {clock, engine, calls, monitorCalls, app};
}

/** Site ids of the table rows, top to bottom. */
function rowIds(frame: string | undefined): number[] {
	return lines(frame).filter(line => /\/site\/\d+$/.test(line)).map(line => Number(line.split('/site/', 2)[1]));
}

/** The id on the row with the selection marker. */
function selectedId(frame: string | undefined): number | undefined {
	const line = lines(frame).find(candidate => candidate.startsWith('›'));
	return line ? Number(line.split('/site/', 2)[1]) : undefined;
}

test('Up/Down, j/k, PgUp/PgDn, g/G and Home/End move the selection', async t => {
	const {app} = await setup(t, 60);
	// The status order: the two failing sites, then the up ones by URL (as strings: 1, 10, 11, ...).
	const up = Array.from({length: 60}, (_, index) => index + 1).filter(id => id !== 3 && id !== 5);
	const order = [3, 5, ...up.sort((a, b) => (`site/${a}` < `site/${b}` ? -1 : 1))];
	t.deepEqual(rowIds(app.lastFrame()), order.slice(0, 23), '29 lines (30 rows less a spare) minus header (3), heading (1) and footer (2)');
	const expectSelected = async (position: number, message: string) => {
		await waitFor(() => selectedId(app.lastFrame()) === order[position]).catch(() => undefined);
		t.is(selectedId(app.lastFrame()), order[position], message);
		t.is(lines(app.lastFrame()).filter(line => line.startsWith('›')).length, 1, 'one marker');
	};

	await expectSelected(0, 'the first row starts selected');
	await press(app.stdin, 'j');
	await expectSelected(1, 'j moves down');
	await press(app.stdin, keys.down, keys.down);
	await expectSelected(3, 'Down moves down');
	await press(app.stdin, 'k');
	await expectSelected(2, 'k moves up');
	await press(app.stdin, keys.up);
	await expectSelected(1, 'Up moves up');
	await press(app.stdin, keys.pageDown);
	await expectSelected(24, 'PgDn moves a page (23 rows)');
	t.deepEqual(rowIds(app.lastFrame()), order.slice(2, 25), 'the table scrolled just enough to show the selection');
	await press(app.stdin, keys.pageDown, keys.pageDown);
	await expectSelected(59, 'PgDn stops at the last site');
	await press(app.stdin, keys.pageUp);
	await expectSelected(36, 'PgUp moves a page back');
	await press(app.stdin, 'g');
	await expectSelected(0, 'g selects the first site');
	t.deepEqual(rowIds(app.lastFrame()), order.slice(0, 23));
	await press(app.stdin, 'G');
	await expectSelected(59, 'G selects the last site');
	t.deepEqual(rowIds(app.lastFrame()), order.slice(37, 60));
	await press(app.stdin, keys.home);
	await expectSelected(0, 'Home selects the first site');
	await press(app.stdin, keys.end);
	await expectSelected(59, 'End selects the last site');
});

test('/ filters as you type over URL, status, code and error kind; Backspace edits; Esc clears', async t => {
	const {app} = await setup(t);
	// Every URL holds http://127.0.0.1, so the filters below anchor on the end of "/site/".
	await press(app.stdin, '/', 'e', '/', '1', '7');
	await waitFor(() => rowIds(app.lastFrame()).length === 1);
	t.deepEqual(rowIds(app.lastFrame()), [17]);
	t.regex(app.lastFrame()!, /^\/e\/17▏ {2}1 of 30 match/m);
	await press(app.stdin, keys.backspace);
	await waitFor(() => rowIds(app.lastFrame()).length > 1);
	t.deepEqual(rowIds(app.lastFrame()).sort((a, b) => a - b), [1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
	await press(app.stdin, keys.enter);
	t.regex(app.lastFrame()!, /11 of 30 sites match "e\/1"/, 'Enter keeps the filter');
	await press(app.stdin, 'j');
	t.is(selectedId(app.lastFrame()), rowIds(app.lastFrame())[1], 'keys work again after Enter');
	await press(app.stdin, keys.escape);
	await waitFor(() => rowIds(app.lastFrame()).length === 23);
	t.regex(app.lastFrame()!, /30 sites {2}sort status/, 'Esc clears the filter');

	for (const [typed, expected] of [
		['down', [3, 5]],
		['500', [5]],
		['timeout', [3]],
		['/site/2/', [2, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]],
		['/^(down|slow)$/', [3, 5]],
		['/[0-9]+2$/', [12, 22]],
	] as const) {
		await press(app.stdin, '/', ...typed);
		await waitFor(() => rowIds(app.lastFrame()).length === expected.length).catch(() => undefined);
		t.deepEqual(rowIds(app.lastFrame()).sort((a, b) => a - b), [...expected], `filter ${typed}`);
		await press(app.stdin, keys.escape);
	}

	await press(app.stdin, '/', '/', '(', '/');
	await waitFor(() => app.lastFrame()!.includes('invalid regex'));
	t.deepEqual(rowIds(app.lastFrame()), [], 'an invalid regex matches nothing and says why');
});

test('s cycles the sort (status, latency, URL, next check, failures) and S reverses it', async t => {
	const {app, engine, clock} = await setup(t);
	const ids = () => rowIds(app.lastFrame());
	t.deepEqual(ids().slice(0, 2), [3, 5], 'status: the failing sites first');
	t.regex(app.lastFrame()!, /STATUS↓/);

	await press(app.stdin, 's');
	t.regex(app.lastFrame()!, /LAT↓/);
	t.deepEqual(ids().slice(0, 5), [3, 30, 29, 28, 27], 'latency: slowest first');
	await press(app.stdin, 'S');
	t.regex(app.lastFrame()!, /LAT↑/);
	t.deepEqual(ids().slice(0, 5), [1, 2, 4, 5, 6], 'reversed: fastest first (5 answers in 50 ms, like 5 would)');

	await press(app.stdin, 's');
	t.regex(app.lastFrame()!, /URL↓/);
	t.deepEqual(ids().slice(0, 4), [1, 10, 11, 12], 'URL order');
	await press(app.stdin, 'S');
	t.deepEqual(ids().slice(0, 4), [9, 8, 7, 6], 'URL reversed');

	await press(app.stdin, 's');
	t.regex(app.lastFrame()!, /NEXT↓/);
	const due = new Map(engine.snapshot().sites.map(view => [view.id, view.nextDueAt!]));
	const nextOrder = ids();
	for (let index = 1; index < nextOrder.length; index++) {
		t.true(due.get(nextOrder[index - 1]!)! <= due.get(nextOrder[index]!)!, 'next check: soonest first');
	}

	t.true(clock.now() > 0);
	await press(app.stdin, 's');
	t.regex(app.lastFrame()!, /OK%↓/);
	t.deepEqual(ids().slice(0, 2), [3, 5], 'failures: most failures first');
	await press(app.stdin, 's');
	t.regex(app.lastFrame()!, /STATUS↓/, 'the cycle comes back to status');
});

test('space pauses and resumes the selected site through the monitor, which hands the change to its pause store', async t => {
	const {app, engine, calls} = await setup(t);
	const first = selectedId(app.lastFrame())!;
	await press(app.stdin, 'j');
	const id = selectedId(app.lastFrame())!;
	t.not(id, first);
	await press(app.stdin, ' ');
	t.is(engine.snapshot().sites.find(view => view.id === id)!.status, 'paused');
	t.deepEqual(calls.stored, [{ids: [id], paused: true}]);
	await waitFor(() => app.lastFrame()!.includes('paused http://127.0.0.1:9/site/'));
	t.regex(app.lastFrame()!, new RegExp(`› ‖ paused .*/site/${id}$`, 'm'), 'the selection follows the paused site to its new place');
	t.is(engine.snapshot().totals.paused, 1);

	await press(app.stdin, ' ');
	t.not(engine.snapshot().sites.find(view => view.id === id)!.status, 'paused');
	t.deepEqual(calls.stored[1], {ids: [id], paused: false});
});

test('a pause the store cannot keep is reported in the status line; the engine keeps it for this run', async t => {
	const {app, engine} = await setup(t, 30, {}, async () => {
		throw new Error('database unavailable');
	});
	const id = selectedId(app.lastFrame())!;
	await press(app.stdin, ' ');
	await waitFor(() => app.lastFrame()!.includes('storing it failed'));
	t.regex(app.lastFrame()!, /for this run only; storing it failed: database unavailable/);
	t.is(engine.snapshot().sites.find(view => view.id === id)!.status, 'paused', 'the engine keeps the pause for this run');
	t.regex(app.lastFrame()!, /up 28, down 1, paused 1,/, 'and the header counts what the engine has');
});

test('a pause the database cannot take yet (a site with a provisional id) says it is kept until the database is reached', async t => {
	const {app, engine} = await setup(t, 30, {}, async () => 'deferred');
	const id = selectedId(app.lastFrame())!;
	await press(app.stdin, ' ');
	await waitFor(() => app.lastFrame()!.includes('stored once the database is reached'));
	t.regex(app.lastFrame()!, /paused http:\/\/127\.0\.0\.1:9\/site\/\d+ for this run; stored once the database is reached/);
	t.is(engine.snapshot().sites.find(view => view.id === id)!.status, 'paused');
});

test('the table shows the pauses the engine has, whoever made them, and a key toggles from there', async t => {
	const {app, engine, calls} = await setup(t);
	const id = selectedId(app.lastFrame())!;
	// Paused through the monitor, not with a key: the UI keeps no pause of its own to disagree with.
	await engine.pause([id]);
	await waitFor(() => new RegExp(`› ‖ paused .*/site/${id}$`, 'm').test(app.lastFrame()!));
	t.deepEqual(calls.stored, [{ids: [id], paused: true}]);
	// Space reads the engine's state for the selected site, so it resumes.
	await press(app.stdin, ' ');
	t.not(engine.snapshot().sites.find(view => view.id === id)!.status, 'paused');
	t.deepEqual(calls.stored[1], {ids: [id], paused: false});
	await waitFor(() => app.lastFrame()!.includes(`resumed http://127.0.0.1:9/site/${id}`));
});

test('r checks the selected site now', async t => {
	const {app, engine, monitorCalls, clock} = await setup(t);
	const id = selectedId(app.lastFrame())!;
	const before = engine.snapshot().totals.started;
	await press(app.stdin, 'r');
	t.deepEqual(monitorCalls, [{call: 'checkNow', ids: [id]}]);
	t.is(engine.snapshot().totals.started, before + 1, 'the engine started a check');
	t.regex(app.lastFrame()!, /checking http:\/\/127\.0\.0\.1:9\/site\/\d+ now/);
	await press(app.stdin, 'r');
	t.regex(app.lastFrame()!, /is already being checked/);
	await clock.advance(5000);
});

test('? shows the help, and any key closes it', async t => {
	const {app} = await setup(t);
	await press(app.stdin, '?');
	t.regex(app.lastFrame()!, /^Keys$/m);
	t.regex(app.lastFrame()!, /cycle sort/);
	t.is(rowIds(app.lastFrame()).length, 0, 'the help takes the table\'s place');
	await press(app.stdin, 'x');
	t.notRegex(app.lastFrame()!, /^Keys$/m);
	t.is(rowIds(app.lastFrame()).length, 23);
});

test('Enter shows the selected site\'s recent checks from loadRecentChecks; Esc closes', async t => {
	const now = Date.UTC(2026, 0, 1, 12, 30, 5);
	const checks: RecentCheck[] = [
		{checkId: 12, requestedAt: now, scheduledAt: now - 40, responseTimeMs: 3000, httpStatusCode: 598, regexMatchStatus: 2, errorKind: 'headers_timeout', errorMessage: 'headers did not arrive within 3000 ms'},
		{checkId: 11, requestedAt: now - 10_000, scheduledAt: now - 10_000, responseTimeMs: 87, httpStatusCode: 200, regexMatchStatus: 1, finalUrl: 'https://example.com/landing'},
		{checkId: 10, requestedAt: now - 20_000, scheduledAt: now - 20_000, responseTimeMs: 91, httpStatusCode: 200, regexMatchStatus: 0, errorKind: null, errorMessage: null, finalUrl: null},
	];
	const loaded: number[] = [];
	const {app} = await setup(t, 30, {
		async loadRecentChecks(siteId) {
			loaded.push(siteId);
			return checks;
		},
	});
	await press(app.stdin, 'j');
	const id = selectedId(app.lastFrame())!;
	await press(app.stdin, keys.enter);
	await waitFor(() => app.lastFrame()!.includes('TIME (UTC)'));
	t.deepEqual(loaded, [id]);
	const frame = app.lastFrame()!;
	t.regex(frame, new RegExp(String.raw`^http://127\.0\.0\.1:9/site/${id}$`, 'm'));
	t.regex(frame, /^TIME \(UTC\) CODE {12}LAT {4}LATE RE DETAIL$/m);
	t.regex(frame, /^12:30:05 {3}598 hdrs-tmo {2}3\.00s {3}\+40ms · {2}headers did not arrive within 3000 ms$/m);
	t.regex(frame, /^12:29:55 {3}200 {12}87ms {4}\+0ms ✓ {2}→ https:\/\/example\.com\/landing$/m);
	t.regex(frame, /^12:29:45 {3}200 {12}91ms {4}\+0ms ✗$/m);
	await press(app.stdin, 'j');
	await waitFor(() => loaded.length === 2);
	t.not(loaded[1], id, 'j in the detail pane moves on to the next site\'s checks');
	await waitFor(() => app.lastFrame()!.includes(`/site/${loaded[1]}\n`));
	await press(app.stdin, keys.escape);
	await waitFor(() => !app.lastFrame()!.includes('TIME (UTC)'));
	t.is(rowIds(app.lastFrame()).length, 23);
});

test('q quits through onQuit and shows the drain; a second Ctrl-C forces', async t => {
	let progress = 'writing 1200 queued rows';
	const {app, calls} = await setup(t, 30, {shutdownProgress: () => progress});
	await press(app.stdin, 'q');
	t.is(calls.quit, 1);
	await waitFor(() => app.lastFrame()!.includes('quitting'));
	t.regex(app.lastFrame()!, /quitting: writing 1200 queued rows… \(Ctrl-C again forces\)/);
	progress = 'writing 200 queued rows';
	await waitFor(() => app.lastFrame()!.includes('writing 200 queued'));
	await press(app.stdin, 'q');
	t.is(calls.quit, 1, 'a second q does not quit twice');
	t.is(calls.forceQuit, 0);
	await press(app.stdin, keys.ctrlC);
	t.is(calls.forceQuit, 1);
});

test('Ctrl-C quits through onQuit first, and forces only the second time', async t => {
	const {app, calls} = await setup(t);
	await press(app.stdin, keys.ctrlC);
	t.is(calls.quit, 1);
	t.is(calls.forceQuit, 0);
	await waitFor(() => app.lastFrame()!.includes('waiting for the database writer to drain'));
	await press(app.stdin, keys.ctrlC);
	t.is(calls.forceQuit, 1);
});
