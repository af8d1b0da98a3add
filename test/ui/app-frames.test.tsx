import test from 'ava';
import type {EngineTotals} from '../../source/engine/engine-types.js';
import {stopWithTime} from '../helpers/fake-clock.js';
import {
	appProps, delay, lines, recorder, renderApp, resize, siteSpecs, startEngine, waitFor, writerStatus,
} from './harness.js';

function expectedHeader(totals: EngineTotals): string[] {
	const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
	return [
		`sites ${totals.sites}: up ${totals.up}, down ${totals.down}, paused ${totals.paused}, pending ${totals.pending}`,
		`checks/s ${totals.checksPerSecond1s.toFixed(1)} (1m ${totals.checksPerSecond1m.toFixed(1)})`,
		`timeouts ${percent(totals.timeoutRate1m)}`,
		`errors ${percent(totals.errorRate1m)}`,
		`limit ${totals.limit}, in flight ${totals.inFlight}, waiting ${totals.waiting} (${totals.limitReason})`,
		`loop p99 ${Math.round(totals.eventLoopDelayP99Ms)}ms`,
	];
}

// Site 3 times out after 3 s, site 5 answers 500, the rest answer 200 in 40-90 ms.
const mixed = (url: string) => {
	if (url.endsWith('/3')) {
		return {httpStatusCode: 598, errorKind: 'timeout' as const, latencyMs: 3000};
	}

	if (url.endsWith('/5')) {
		return {httpStatusCode: 500, latencyMs: 120};
	}

	return {latencyMs: 40 + (url.length % 50)};
};

test('the header shows the numbers the engine has, and follows them as time passes', async t => {
	const {clock, engine} = startEngine(siteSpecs(40, 5), mixed, {measure: () => ({eventLoopDelayP99Ms: 12.4, cpuUtilisation: 0.3})});
	await clock.advance(11_500);
	const app = await renderApp(appProps(engine, clock, recorder(), {workers: 3}), {columns: 200, rows: 40});
	const first = engine.snapshot().totals;
	t.true(first.completed > 0);
	for (const fact of expectedHeader(first)) {
		t.true(app.lastFrame()!.includes(fact), `frame shows "${fact}"`);
	}

	t.true(app.lastFrame()!.includes('workers 3'));
	t.true(app.lastFrame()!.includes(`db ${writerStatus.state}: 3 queued, 120 stored, 7 journaled`));
	t.regex(app.lastFrame()!, /run 11s/);

	await clock.advance(20_000);
	// The store publishes what the engine has now within refreshMs of real time; its frame says 31s.
	await waitFor(() => (app.lastFrame()!).includes('run 31s'));
	const later = engine.snapshot().totals;
	t.true(later.completed > first.completed);
	for (const fact of expectedHeader(later)) {
		t.true(app.lastFrame()!.includes(fact), `frame shows "${fact}" after 20 s more`);
	}

	t.regex(app.lastFrame()!, /run 31s/);
	app.unmount();
});

test('rows show status, code or error kind, latency, success ratio and next check', async t => {
	const {clock, engine} = startEngine(siteSpecs(8, 10), mixed);
	await clock.advance(14_000);
	const app = await renderApp(appProps(engine, clock, recorder()), {columns: 120, rows: 30});
	const frame = app.lastFrame()!;
	const row = (id: number) => lines(frame).find(line => line.endsWith(`/site/${id}`))!;
	t.regex(row(3), /✗ DOWN\s+timeout\s+3\.00s/);
	t.regex(row(5), /✗ DOWN\s+500\s+120ms/);
	t.regex(row(1), /● up\s+200\s+\d+ms ▂?▃?\s+·\s+100%\s+\d+s http:\/\/127\.0\.0\.1:9\/site\/1$/);
	t.regex(row(3), /\s0%\s/);
	// Worst first: the failing sites lead the default (status) order.
	const order = lines(frame).filter(line => line.includes('/site/')).map(line => Number(line.split('/site/', 2)[1]));
	t.deepEqual(order.slice(0, 2).sort((a, b) => a - b), [3, 5]);
	app.unmount();
});

test('slow sites read as slow, paused ones as paused, unchecked ones as pending', async t => {
	const {clock, engine} = startEngine(siteSpecs(4, 60), url => ({latencyMs: url.endsWith('/2') ? 2500 : 30}));
	void engine.pause([4]);
	// Spread over the first minute: advance far enough for sites 1 and 2 only is not predictable, so check all.
	await clock.advance(63_000);
	engine.addSites([{id: 9, url: 'http://127.0.0.1:9/site/9', intervalSeconds: 60}]);
	const app = await renderApp(appProps(engine, clock, recorder()), {columns: 120, rows: 30});
	const frame = app.lastFrame()!;
	t.regex(frame, /◐ slow\s+200\s+2\.50s.*\/site\/2$/m);
	t.regex(frame, /‖ paused .*\/site\/4$/m);
	t.regex(frame, /○ pending .*\/site\/9$/m);
	t.regex(frame, /● up .*\/site\/1$/m);
	app.unmount();
});

test('an 80x24 frame fits: no line wider than 80 columns, at most 23 lines; it adapts to a resize', async t => {
	const long = (id: number) => `https://very-long-host-name-${id}.example.invalid:8443/${'deep/path/'.repeat(12)}?q=${id}`;
	const {clock, engine} = startEngine(siteSpecs(300, 10, long), mixed);
	await clock.advance(12_000);
	const app = await renderApp(appProps(engine, clock, recorder()), {columns: 80, rows: 24});
	const check = (columns: number, rows: number) => {
		const frame = lines(app.lastFrame());
		t.true(frame.length <= rows - 1, `${frame.length} lines for ${rows} rows`);
		for (const line of frame) {
			t.true([...line].length <= columns, `line of ${[...line].length} columns: ${line}`);
		}

		return frame;
	};

	const small = check(80, 24);
	t.is(small.length, 23, 'the frame keeps a constant height');
	t.true(small.some(line => line.includes('…')), 'long URLs are ellipsised');

	resize(app.stdout, {columns: 200, rows: 60});
	await waitFor(() => lines(app.lastFrame()).length === 59);
	const big = check(200, 60);
	t.true(big.filter(line => line.includes('very-long-host')).length > small.filter(line => line.includes('very-long-host')).length);

	resize(app.stdout, {columns: 60, rows: 12});
	await waitFor(() => lines(app.lastFrame()).length === 11);
	check(60, 12);
	app.unmount();
});

test('at 80 columns, paths of one host keep their distinct tails: the URL is cut in the middle, in Unicode and in ASCII', async t => {
	const orders = (id: number) => `https://api.example.com/v1/customers/1234/orders/${1000 + id}`;
	const {clock, engine} = startEngine(siteSpecs(40, 10, orders), () => ({latencyMs: 40}));
	await clock.advance(12_000);
	for (const [charset, ellipsis] of [['unicode', '…'], ['ascii', '~']] as const) {
		const app = await renderApp(appProps(engine, clock, recorder(), {charset}), {columns: 80, rows: 24});
		const rows = lines(app.lastFrame()).filter(line => line.includes('https://'));
		t.is(rows.length, 16, '23 lines less header (4), heading (1) and footer (2)');
		const ids = new Set<string>();
		for (const row of rows) {
			t.true([...row].length <= 80, row);
			const url = row.slice(row.indexOf('https://'));
			t.true(url.startsWith(`https://api.e${ellipsis}`), `the start shows: ${url}`);
			ids.add(/\/orders\/(\d+)$/.exec(url)?.[1] ?? '');
		}

		t.is(ids.size, rows.length, `every row ends in its own order id: ${[...ids].join(' ')}`);
		t.false(ids.has(''));
		app.unmount();
	}
});

test('ASCII mode frames contain only ASCII, and NO_COLOR frames no escape sequence at all', async t => {
	const {clock, engine} = startEngine(siteSpecs(30, 10, id => `http://127.0.0.1:9/ünïcödé/日本/${id}`), mixed);
	void engine.pause([7]);
	await clock.advance(25_000);
	const app = await renderApp(appProps(engine, clock, recorder(), {charset: 'ascii', color: false}), {columns: 100, rows: 30});
	const frames = [app.lastFrame()!];
	app.stdin.write('S');
	await delay(10);
	frames.push(app.lastFrame()!);
	app.stdin.write('?');
	await delay(10);
	frames.push(app.lastFrame()!);
	app.stdin.write('x');
	await delay(10);
	app.stdin.write('\r');
	await delay(20);
	frames.push(app.lastFrame()!);
	for (const frame of frames) {
		t.regex(frame, /^[\n\u0020-\u007E]*$/, 'printable ASCII only');
		t.false(frame.includes('\u001B'));
	}

	t.regex(frames[0]!, /x DOWN/);
	t.regex(frames[1]!, /^> = paused/m, 'reversed, the paused site comes first');
	t.regex(frames[0]!, /\+ up/);
	app.unmount();
});

test('thousands of results a second make at most ~10 renders a second, and the last frame shows the last numbers', async t => {
	const {clock, engine} = startEngine(siteSpecs(2000, 1), () => ({latencyMs: 5}));
	await clock.advance(2000);
	// The store coalesces on the engine's fake clock too: a second is a second however busy the machine.
	const app = await renderApp(appProps(engine, clock, recorder(), {refreshMs: 100, refreshTimers: clock}), {columns: 100, rows: 30});
	const {completed} = engine.snapshot().totals;
	const frames = app.frames.length;
	for (let elapsed = 0; elapsed < 1000; elapsed += 10) {
		await clock.advance(10);
	}

	const results = engine.snapshot().totals.completed - completed;
	const renders = app.frames.length - frames;
	t.true(results > 1000, `${results} results`);
	t.true(renders <= 11, `${renders} renders for ${results} results in one second`);
	t.true(renders >= 9, `${renders} renders: the UI still follows`);
	// Once the engine is quiet, the store's trailing publication brings the last numbers to the screen.
	await stopWithTime(engine, clock, 100);
	await clock.advance(100);
	for (const fact of expectedHeader(engine.snapshot().totals)) {
		t.true(app.lastFrame()!.includes(fact), `the last frame shows "${fact}"`);
	}

	app.unmount();
});
