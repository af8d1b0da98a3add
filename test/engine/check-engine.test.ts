import test from 'ava';
import {CheckEngine} from '../../source/engine/check-engine.js';
import {createConcurrencyController} from '../../source/engine/concurrency-controller.js';
import type {CheckResult, ProbeOutcome, ProbeRequest, SiteSpec} from '../../source/engine/types.js';
import {FakeClock, stopWithTime} from '../helpers/fake-clock.js';

/** A probe that answers after `latency(url)` ms of fake time. */
function fakeProbe(clock: FakeClock, latency: (url: string) => number, outcome: Partial<ProbeOutcome> = {}) {
	const calls: Array<{url: string; at: number}> = [];
	let inFlight = 0;
	let peak = 0;
	const probe = async (request: ProbeRequest): Promise<ProbeOutcome> => {
		calls.push({url: request.url, at: clock.now()});
		inFlight++;
		peak = Math.max(peak, inFlight);
		const ms = latency(request.url);
		await clock.sleep(ms);
		inFlight--;
		return {httpStatusCode: 200, responseTimeMs: ms, regexMatchStatus: 2, ...outcome};
	};

	return {probe, calls, peak: () => peak};
}

/** `count` sites, each on its own host, or all on `origin` (paths of one host) when given. */
function sites(count: number, intervalSeconds: number, origin?: string): SiteSpec[] {
	return Array.from({length: count}, (_, index) => ({
		id: index + 1,
		url: origin === undefined ? `http://site-${index + 1}.test/${index + 1}` : `${origin}/s/${index + 1}`,
		intervalSeconds,
	}));
}

/** A probe under which the sites `dead` picks time out after 10 s and the others answer in 20 ms. */
function timingOut(clock: FakeClock, dead: (url: string) => boolean) {
	return async (request: ProbeRequest): Promise<ProbeOutcome> => {
		if (dead(request.url)) {
			await clock.sleep(10_000);
			return {httpStatusCode: 598, responseTimeMs: 10_000, regexMatchStatus: 2, errorKind: 'timeout'};
		}

		await clock.sleep(20);
		return {httpStatusCode: 200, responseTimeMs: 20, regexMatchStatus: 2};
	};
}

function collect(engine: CheckEngine): CheckResult[] {
	const results: CheckResult[] = [];
	engine.on('result', result => results.push(result));
	return results;
}

test('checks sit on the interval grid and a slow response does not push later checks back', async t => {
	const clock = new FakeClock();
	const {probe} = fakeProbe(clock, () => 3000);
	const engine = new CheckEngine({probe, clock, checksPerSite: 5});
	engine.addSites(sites(1, 10));
	const results = collect(engine);
	engine.start();
	await clock.advance(70_000);
	t.is(results.length, 5);
	const first = results[0]!.scheduledAt;
	t.true(first >= clock.now() - 70_000 && first < clock.now() - 60_000, 'first slot within the first interval');
	t.deepEqual(results.map(result => result.scheduledAt - first), [0, 10_000, 20_000, 30_000, 40_000]);
	t.deepEqual(results.map(result => result.requestedAt - result.scheduledAt), [0, 0, 0, 0, 0]);
});

test('first checks are spread over the first interval, deterministically per site', async t => {
	const slots = async () => {
		const clock = new FakeClock();
		const {probe, calls} = fakeProbe(clock, () => 10);
		const engine = new CheckEngine({probe, clock, checksPerSite: 1});
		engine.addSites(sites(200, 60));
		engine.start();
		await clock.advance(61_000);
		return calls.map(call => `${call.url}@${call.at - Date.UTC(2026, 0, 1)}`).sort();
	};

	const first = await slots();
	t.is(first.length, 200);
	const offsets = first.map(entry => Number(entry.split('@', 2)[1]));
	t.true(offsets.every(offset => offset >= 0 && offset < 60_000));
	// Spread, not a herd: no one-second bucket holds more than a small share of the starts.
	const buckets = new Map<number, number>();
	for (const offset of offsets) {
		buckets.set(Math.floor(offset / 1000), (buckets.get(Math.floor(offset / 1000)) ?? 0) + 1);
	}

	t.true(Math.max(...buckets.values()) <= 15, `largest bucket ${Math.max(...buckets.values())}`);
	t.deepEqual(await slots(), first);
});

test('a slot that comes due while the previous check runs is recorded as skipped, never lost', async t => {
	const clock = new FakeClock();
	const {probe, calls} = fakeProbe(clock, () => 2500);
	const engine = new CheckEngine({probe, clock, checksPerSite: 6});
	engine.addSites(sites(1, 1));
	const results = collect(engine);
	let done = false;
	engine.on('done', () => {
		done = true;
	});
	engine.start();
	await clock.advance(20_000);
	t.true(done);
	t.is(results.length, 6, 'one result per slot');
	const skipped = results.filter(result => result.errorKind === 'skipped');
	t.is(skipped.length + calls.length, 6);
	t.true(skipped.length >= 3);
	t.true(skipped.every(result => result.httpStatusCode === 0));
	t.is(new Set(results.map(result => result.scheduledAt)).size, 6, 'every slot distinct');
	t.is(engine.snapshot().totals.skipped, skipped.length);
});

test('one armed timer for the whole fleet, and maxInFlight bounds checks in flight, slow ones included', async t => {
	const clock = new FakeClock();
	const {probe, peak} = fakeProbe(clock, () => 5000);
	const controller = createConcurrencyController({initial: 16, max: 16});
	const engine = new CheckEngine({probe, clock, controller, maxInFlight: 16});
	engine.addSites(sites(5000, 10));
	engine.start();
	t.is(clock.pendingTimers, 2, 'one due timer plus the controller tick');
	await clock.advance(30_000);
	t.is(peak(), 16);
	t.true(engine.snapshot().totals.waiting > 0);
	await stopWithTime(engine, clock);
});

test('pause, resume, add and remove at run time', async t => {
	const clock = new FakeClock();
	const {probe, calls} = fakeProbe(clock, () => 10);
	const engine = new CheckEngine({probe, clock});
	engine.addSites(sites(3, 10));
	engine.start();
	await clock.advance(10_000);
	t.is(calls.length, 3);

	void engine.pause([2]);
	t.is(engine.snapshot().sites.find(site => site.id === 2)!.status, 'paused');
	await clock.advance(30_000);
	t.is(calls.filter(call => call.url.endsWith('/2')).length, 1, 'paused site not checked');

	void engine.resume([2]);
	const resumed = engine.snapshot().sites.find(site => site.id === 2)!;
	t.is(resumed.status, 'up');
	await clock.advance(10_000);
	t.is(calls.filter(call => call.url.endsWith('/2')).length, 2, 'resumed on its grid');
	const phase = (calls.find(call => call.url.endsWith('/2'))!.at - calls.findLast(call => call.url.endsWith('/2'))!.at) % 10_000;
	t.is(Math.abs(phase), 0, 'same phase as before the pause');

	engine.removeSite(1);
	engine.addSites([{id: 9, url: 'http://127.0.0.1:1/s/9', intervalSeconds: 5}]);
	const before = calls.length;
	await clock.advance(20_000);
	const later = calls.slice(before).map(call => call.url.split('/').pop());
	t.false(later.includes('1'), 'removed site not checked');
	t.true(later.filter(id => id === '9').length >= 3, 'added site checked on its interval');
	t.deepEqual(engine.snapshot().sites.map(site => site.id).sort((a, b) => a - b), [2, 3, 9]);
	await stopWithTime(engine, clock);
});

test('checkNow runs a site immediately, outside its grid', async t => {
	const clock = new FakeClock();
	const {probe, calls} = fakeProbe(clock, () => 10);
	const engine = new CheckEngine({probe, clock});
	engine.addSites(sites(1, 300));
	engine.start();
	await clock.advance(300_000);
	const before = calls.length;
	t.true(engine.checkNow(1));
	await clock.advance(100);
	t.is(calls.length, before + 1);
	await stopWithTime(engine, clock);
});

test('loading the fleet before start does not count as load in the first tick', async t => {
	const clock = new FakeClock();
	const {probe} = fakeProbe(clock, () => 5000);
	// Like the real measurement: what happened since the previous call. Adding 5,000 sites kept the loop busy.
	let loopBusySinceLastMeasure = false;
	const measure = () => {
		const delay = loopBusySinceLastMeasure ? 400 : 3;
		loopBusySinceLastMeasure = false;
		return {eventLoopDelayP99Ms: delay, cpuUtilisation: 0.2};
	};

	const engine = new CheckEngine({probe, clock, measure, controller: createConcurrencyController({initial: 16})});
	loopBusySinceLastMeasure = true;
	engine.addSites(sites(5000, 10));
	engine.start();
	await clock.advance(1000);
	t.is(engine.snapshot().totals.limit, 32, engine.snapshot().totals.limitReason);
	t.regex(engine.snapshot().totals.limitReason, /slow start/);
	await stopWithTime(engine, clock);
});

test('checks waiting on silent servers hold no slot of the limit: live sites stay on time beside them', async t => {
	const clock = new FakeClock();
	const hanging = (url: string) => Number(url.split('/').pop()) % 10 === 0;
	// One site in ten never answers within the run; the others answer in 20 ms.
	const {probe} = fakeProbe(clock, url => (hanging(url) ? 60_000 : 20));
	// A limit of 40 working checks: the 100 hanging ones would fill it twice over if they counted.
	const engine = new CheckEngine({probe, clock, controller: createConcurrencyController({initial: 40, max: 40})});
	engine.addSites(sites(1000, 5));
	const late: number[] = [];
	engine.on('result', result => {
		if (!hanging(result.url) && result.scheduledAt > Date.UTC(2026, 0, 1) + 10_000) {
			late.push(result.requestedAt - result.scheduledAt);
		}
	});
	engine.start();
	await clock.advance(30_000);
	const {totals} = engine.snapshot();
	t.is(totals.limit, 40);
	t.is(totals.stalledInFlight, 100, 'every hanging site is out, waiting on its server');
	t.true(totals.inFlight > totals.limit, `${totals.inFlight} in flight`);
	t.true(late.length > 3000, `${late.length} live checks`);
	t.is(Math.max(...late), 0, 'no live check waited for a slot');
	t.is(totals.skippedClientBusy, 0);
	await stopWithTime(engine, clock);
});

test('sites that keep timing out are checked at each slot however low the limit is cut', async t => {
	const clock = new FakeClock();
	const dead = (url: string) => Number(url.split('/').pop()) <= 30;
	const probe = timingOut(clock, dead);
	// CPU always over the threshold: the limit is cut to its minimum of 4 and stays there.
	const measure = () => ({eventLoopDelayP99Ms: 3, cpuUtilisation: 0.99});
	const engine = new CheckEngine({probe, clock, measure, timeoutMs: 10_000});
	engine.addSites(sites(100, 5));
	const results = collect(engine);
	engine.start();
	await clock.advance(120_000);
	const {totals} = engine.snapshot();
	t.is(totals.limit, 4, totals.limitReason);
	const deadRows = results.filter(result => dead(result.url));
	// A 10 s check every 5 s: every other slot finds the previous check still running (`skipped`).
	t.true(deadRows.length >= 30 * 22, `${deadRows.length} rows of dead sites`);
	t.deepEqual([...new Set(deadRows.map(result => result.errorKind))].sort((a, b) => String(a).localeCompare(String(b))), ['skipped', 'timeout']);
	t.is(totals.skippedClientBusy + totals.skippedHostBusy, 0, 'no dead site waited for a slot');
	await stopWithTime(engine, clock);
});

test('slow start does not grow a limit that does not bind: checks held back by their host caps are not waiting for it', async t => {
	const clock = new FakeClock();
	const {probe, peak} = fakeProbe(clock, () => 50);
	const engine = new CheckEngine({probe, clock, maxPerHost: 4, controller: createConcurrencyController({initial: 16})});
	// 200 paths of one host, every second: 10 places' worth of work for a host allowed 4.
	engine.addSites(sites(200, 1, 'http://one-host.test'));
	engine.start();
	await clock.advance(10_000);
	t.is(peak(), 4, 'the host cap is what binds');
	t.is(engine.snapshot().totals.limit, 16, engine.snapshot().totals.limitReason);
	await stopWithTime(engine, clock);
});

test('in slow start the limit grows with each check that finishes, before the first tick', async t => {
	const clock = new FakeClock();
	const {probe, peak} = fakeProbe(clock, () => 20);
	const engine = new CheckEngine({probe, clock, controller: createConcurrencyController({initial: 16})});
	// 20,000 sites with a 10 s interval: 2,000 checks due per second from the start.
	engine.addSites(sites(20_000, 10));
	engine.start();
	await clock.advance(900);
	t.true(engine.snapshot().totals.limit > 16 * 4, `limit ${engine.snapshot().totals.limit}`);
	t.true(peak() > 16 * 4, `peak in flight ${peak()}`);
	await stopWithTime(engine, clock);
});

test('sites that keep timing out hold at most a quarter of the checks the process may have in flight', async t => {
	const clock = new FakeClock();
	const dead = (url: string) => Number(url.split('/').pop()) <= 30;
	const probe = timingOut(clock, dead);

	// At most 20 in flight (the open-files budget, say): the dead sites may hold a quarter of it.
	const engine = new CheckEngine({probe, clock, maxInFlight: 20, timeoutMs: 10_000});
	engine.addSites(sites(100, 5));
	const late: number[] = [];
	engine.on('result', result => {
		if (!dead(result.url) && result.requestedAt > Date.UTC(2026, 0, 1) + 60_000) {
			late.push(result.requestedAt - result.scheduledAt);
		}
	});
	engine.start();
	await clock.advance(120_000);
	t.true(late.length > 500, `${late.length} live checks`);
	t.true(Math.max(...late) <= 1000, `live sites late by ${Math.max(...late)} ms`);
	t.true(engine.snapshot().totals.suspectInFlight <= 5);
	await stopWithTime(engine, clock);
});

test('stop lets in-flight checks finish and reports every result', async t => {
	const clock = new FakeClock();
	const {probe} = fakeProbe(clock, () => 4000);
	const engine = new CheckEngine({probe, clock});
	engine.addSites(sites(50, 5));
	const results = collect(engine);
	engine.start();
	await clock.advance(5000);
	const {inFlight} = engine;
	t.true(inFlight > 0);
	const {started} = engine.snapshot().totals;
	let stopped = false;
	const stopping = engine.stop().then(() => {
		stopped = true;
	});
	await clock.advance(1);
	t.false(stopped);
	await clock.advance(5000);
	await stopping;
	t.is(results.length, started);
});

test('a site not checked yet shows its next slot, whether its view was read before the start or made only when asked', async t => {
	const run = async (readFirst: boolean) => {
		const clock = new FakeClock(1_000_000);
		const {probe, calls} = fakeProbe(clock, () => 10);
		const engine = new CheckEngine({probe, clock});
		engine.addSites(sites(3, 60));
		const before = readFirst ? engine.snapshot().sites.map(view => [view.status, view.nextDueAt]) : undefined;

		engine.start();
		t.like(engine.snapshot().totals, {sites: 3, pending: 3});
		const due = engine.snapshot().sites.map(view => view.nextDueAt);
		await clock.advance(60_000);
		t.is(calls.length, 3);
		const after = engine.snapshot().sites;
		await stopWithTime(engine, clock);
		return {before, due, after};
	};

	const read = await run(true);
	t.deepEqual(read.before, [['pending', undefined], ['pending', undefined], ['pending', undefined]]);
	const lazy = await run(false);
	t.true(lazy.due.every(at => at !== undefined && at >= 1_000_000 && at < 1_060_000), JSON.stringify(lazy.due));
	t.deepEqual(lazy.due, read.due, 'the same slots either way');
	t.deepEqual(lazy.after.map(view => view.nextDueAt), lazy.due.map(at => at! + 60_000), 'each on its grid, one interval later');
	t.true(lazy.after.every(view => view.checks === 1 && view.status === 'up'));
});
