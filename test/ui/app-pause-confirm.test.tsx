import test, {type ExecutionContext} from 'ava';
import {
	appProps, keys, lines, press, recorder, recordingMonitor, recordingPauseStore, renderApp, siteSpecs, startEngine, waitFor,
} from './harness.js';

/** A real engine of `count` sites behind a monitor that records what the App asks of it. */
async function setup(t: ExecutionContext, count: number) {
	const calls = recorder();
	const {clock, engine} = startEngine(siteSpecs(count, 10), () => ({latencyMs: 30}), {pauseStore: recordingPauseStore(calls)});
	await clock.advance(12_000);
	const {monitor, calls: monitorCalls} = recordingMonitor(engine);
	const app = await renderApp(appProps(monitor, clock, calls), {columns: 100, rows: 30});
	t.teardown(() => {
		app.unmount();
	});
	const frame = () => app.lastFrame()!;
	return {engine, calls, monitorCalls, app, frame};
}

const byId = (ids: readonly number[]) => [...ids].sort((a, b) => a - b);

test('P over 1,234 sites asks "Pause 1,234 sites? y/N": nothing is paused before y, all of them after; P then Y resumes them', async t => {
	const {engine, calls, monitorCalls, app, frame} = await setup(t, 1234);
	await press(app.stdin, 'P');
	await waitFor(() => frame().includes('Pause 1,234 sites? y/N'));
	t.deepEqual(monitorCalls, [], 'the engine was asked nothing');
	t.deepEqual(calls.stored, [], 'nothing stored');
	t.is(engine.snapshot().totals.paused, 0);

	await press(app.stdin, 'y');
	await waitFor(() => frame().includes('paused 1,234 sites'));
	t.is(monitorCalls.length, 1);
	t.is(monitorCalls[0]!.call, 'pause');
	t.is(monitorCalls[0]!.ids.length, 1234);
	t.deepEqual(calls.stored.map(call => [call.ids.length, call.paused]), [[1234, true]]);
	t.is(engine.snapshot().totals.paused, 1234);
	t.notRegex(frame(), /y\/N/);

	await press(app.stdin, 'P');
	await waitFor(() => frame().includes('Resume 1,234 sites? y/N'));
	t.is(monitorCalls.length, 1, 'still asked nothing more');
	await press(app.stdin, 'Y');
	await waitFor(() => frame().includes('resumed 1,234 sites'));
	t.deepEqual(monitorCalls.map(call => [call.call, call.ids.length]), [['pause', 1234], ['resume', 1234]]);
	t.is(engine.snapshot().totals.paused, 0);
});

test('with a filter, P counts and acts on the shown sites that would change', async t => {
	const {engine, calls, monitorCalls, app, frame} = await setup(t, 30);
	void engine.pause([2]);
	await press(app.stdin, '/', ...'site/2', keys.enter);
	await waitFor(() => frame().includes('11 of 30 sites match'));
	await press(app.stdin, 'P');
	await waitFor(() => frame().includes('Pause 10 sites shown by the filter? y/N'));
	await press(app.stdin, 'y');
	await waitFor(() => frame().includes('paused 10 sites shown by the filter'));
	const shown = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
	t.deepEqual(monitorCalls.map(call => [call.call, byId(call.ids)]), [['pause', shown]], 'site 2 was paused already');
	t.deepEqual(calls.stored.map(call => byId(call.ids)), [[2], shown], 'the store got site 2 when the test paused it, then the shown ones');
	t.deepEqual(byId(engine.snapshot().sites.filter(view => view.status === 'paused').map(view => view.id)), [2, ...shown]);
});

test('while P asks, any key but y cancels and says so, and does nothing else (n, Enter, Esc, j, q, space, /, P)', async t => {
	const {engine, calls, monitorCalls, app, frame} = await setup(t, 30);
	const marked = () => lines(frame()).find(line => line.startsWith('›'));
	const before = marked();
	for (const key of ['n', keys.enter, keys.escape, 'j', 'q', ' ', '/', 'P']) {
		await press(app.stdin, 'P');
		await waitFor(() => frame().includes('Pause 30 sites? y/N'));
		await press(app.stdin, key);
		// Only an answer takes the question away.
		await waitFor(() => !frame().includes('y/N'));
		t.regex(frame(), /^cancelled: nothing paused/m, JSON.stringify(key));
	}

	t.deepEqual(monitorCalls, [], 'the engine was asked nothing');
	t.deepEqual(calls.stored, []);
	t.is(engine.snapshot().totals.paused, 0);
	t.is(calls.quit, 0, 'q answered the question; it did not quit');
	t.is(marked(), before, 'j answered the question; it did not move the selection');
	t.notRegex(frame(), /▏/, '/ answered the question; it did not open the filter');
	t.deepEqual(calls.loadRecentChecks, [], 'Enter answered the question; it did not open the detail');

	await press(app.stdin, 'P');
	await waitFor(() => frame().includes('Pause 30 sites? y/N'));
	await press(app.stdin, keys.ctrlC);
	t.is(calls.quit, 1, 'Ctrl-C still quits, and drops the question');
	await waitFor(() => !frame().includes('y/N'));
	t.deepEqual(monitorCalls, []);
});

test('P over one site pauses it at once, and P again resumes it, without asking', async t => {
	const {engine, calls, monitorCalls, app, frame} = await setup(t, 30);
	await press(app.stdin, '/', ...'site/17', keys.enter);
	await waitFor(() => frame().includes('1 of 30 sites match'));
	await press(app.stdin, 'P');
	t.deepEqual(monitorCalls, [{call: 'pause', ids: [17]}]);
	t.deepEqual(calls.stored, [{ids: [17], paused: true}]);
	await waitFor(() => frame().includes('paused 1 site shown by the filter'));
	t.notRegex(frame(), /y\/N/);
	await press(app.stdin, 'P');
	t.deepEqual(monitorCalls[1], {call: 'resume', ids: [17]});
	t.is(engine.snapshot().totals.paused, 0);
});
