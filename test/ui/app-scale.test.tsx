import test from 'ava';
import {
	appProps, keys, lines, press, recorder, renderApp, siteSpecs, startEngine, waitFor,
} from './harness.js';

// 10,000 sites; latency varies with the id (so the latency sort has one answer), every 97th fails.
const answer = (url: string) => {
	const id = Number(url.split('/').pop());
	return id % 97 === 0 ? {httpStatusCode: 503, latencyMs: 20} : {latencyMs: 10 + ((id * 31) % 997)};
};

async function setup(t: import('ava').ExecutionContext) {
	const {clock, engine} = startEngine(siteSpecs(10_000, 30), answer);
	await clock.advance(32_000);
	t.is(engine.snapshot().totals.pending, 0);
	const calls = recorder();
	const app = await renderApp(appProps(engine, clock, calls), {columns: 120, rows: 40});
	t.teardown(() => {
		app.unmount();
	});
	return {clock, engine, calls, app};
}

function rowIds(frame: string | undefined): number[] {
	return lines(frame).filter(line => /\/site\/\d+$/.test(line)).map(line => Number(line.split('/site/', 2)[1]));
}

test('10,000 sites: the frame shows a screenful, and the filter shows only matching URLs', async t => {
	const {app, engine} = await setup(t);
	t.is(rowIds(app.lastFrame()).length, 33, '39 lines less header (3), heading and footer (2)');
	t.regex(app.lastFrame()!, /sites 10000: up 9897, down 103, paused 0, pending 0/);
	await press(app.stdin, '/', ...'site/12');
	await waitFor(() => rowIds(app.lastFrame()).length > 0 && rowIds(app.lastFrame()).every(id => String(id).startsWith('12')));
	const expected = engine.snapshot().sites.filter(view => view.url.includes('site/12')).length;
	t.is(expected, 111);
	t.regex(app.lastFrame()!, /site\/12▏ {2}111 of 10000 match/);
	const shown = rowIds(app.lastFrame());
	t.is(shown.length, 33);
	t.true(shown.every(id => String(id).startsWith('12')));
	await press(app.stdin, keys.enter, 'G');
	t.true(rowIds(app.lastFrame()).every(id => String(id).startsWith('12')), 'scrolling stays inside the filter');

	// A filter by status over the whole fleet: only the failing sites.
	await press(app.stdin, keys.escape, '/', ...'down', keys.enter);
	await waitFor(() => app.lastFrame()!.includes('103 of 10000'));
	t.true(rowIds(app.lastFrame()).every(id => id % 97 === 0));
});

test('10,000 sites: s and S order the rows by the latencies the engine has', async t => {
	const {app, engine} = await setup(t);
	const latency = new Map(engine.snapshot().sites.map(view => [view.id, view.last!.responseTimeMs]));
	const slowest = [...latency].sort((a, b) => (b[1] - a[1]) || (`${a[0]}` < `${b[0]}` ? -1 : 1));
	await press(app.stdin, 's');
	await waitFor(() => app.lastFrame()!.includes('LAT↓'));
	const rows = rowIds(app.lastFrame());
	t.deepEqual(rows.map(id => latency.get(id)), slowest.slice(0, rows.length).map(([, ms]) => ms), 'slowest first');
	await press(app.stdin, 'S');
	const fastest = rowIds(app.lastFrame()).map(id => latency.get(id)!);
	t.deepEqual(fastest, [...fastest].sort((a, b) => a - b));
	t.is(fastest[0], Math.min(...latency.values()));

	// Filter and sort together, on the order the filter leaves.
	await press(app.stdin, '/', ...'site/9', keys.enter);
	const filtered = rowIds(app.lastFrame());
	t.true(filtered.every(id => String(id).startsWith('9')));
	const ms = filtered.map(id => latency.get(id)!);
	t.deepEqual(ms, [...ms].sort((a, b) => a - b));
});

test('10,000 sites: the order is reused between re-sorts while rows show fresh contents', async t => {
	const {app, engine, clock} = await setup(t);
	const before = rowIds(app.lastFrame());
	t.regex(app.lastFrame()!, new RegExp(`✗ DOWN .*/site/${before[1]}$`, 'm'));
	// A site is paused behind the UI's back (not with a key, which re-sorts at once): its row changes...
	void engine.pause([before[1]!]);
	await waitFor(() => app.lastFrame()!.includes('paused 1'));
	t.deepEqual(rowIds(app.lastFrame()), before, '...in the same place, until the next re-sort');
	t.regex(app.lastFrame()!, new RegExp(`‖ paused .*/site/${before[1]}$`, 'm'));
	// A second of the UI's clock later, the next snapshot brings a re-sort: paused sites go last.
	await clock.advance(1500);
	await waitFor(() => rowIds(app.lastFrame())[1] !== before[1]);
	t.false(rowIds(app.lastFrame()).includes(before[1]!));
});
