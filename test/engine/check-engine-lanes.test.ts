import test from 'ava';
import {CheckEngine} from '../../source/engine/check-engine.js';
import {createConcurrencyController} from '../../source/engine/concurrency-controller.js';
import type {CheckResult, ProbeOutcome, ProbeRequest, SiteSpec} from '../../source/engine/types.js';
import {FakeClock} from '../helpers/fake-clock.js';

/** A probe that answers after `latency(url)` ms of fake time, saying it sent the request at once. */
function fakeProbe(clock: FakeClock, latency: (url: string) => number) {
	const inFlight = new Map<string, number>();
	let peakPerHost = 0;
	const probe = async (request: ProbeRequest): Promise<ProbeOutcome> => {
		const sentAt = clock.now();
		const {host} = new URL(request.url);
		inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
		peakPerHost = Math.max(peakPerHost, inFlight.get(host)!);
		const ms = latency(request.url);
		await clock.sleep(ms);
		inFlight.set(host, inFlight.get(host)! - 1);
		return ms >= 2000
			? {httpStatusCode: 598, responseTimeMs: ms, regexMatchStatus: 2, errorKind: 'timeout', errorMessage: 'no answer', sentAt}
			: {httpStatusCode: 200, responseTimeMs: ms, regexMatchStatus: 2, sentAt};
	};

	return {probe, peakPerHost: () => peakPerHost};
}

function onHost(host: string, count: number, intervalSeconds: number, firstId = 1): SiteSpec[] {
	return Array.from({length: count}, (_, index) => ({id: firstId + index, url: `http://${host}/p/${firstId + index}`, intervalSeconds}));
}

function collect(engine: CheckEngine): CheckResult[] {
	const results: CheckResult[] = [];
	engine.on('result', result => results.push(result));
	return results;
}

test('a host gets at most --max-per-host checks at once; a check still waiting at its next slot becomes host_busy', async t => {
	const clock = new FakeClock();
	const {probe, peakPerHost} = fakeProbe(clock, () => 1500);
	const engine = new CheckEngine({probe, clock, checksPerSite: 6, maxPerHost: 2});
	engine.addSites(onHost('busy.test', 6, 1));
	const results = collect(engine);
	engine.start();
	await clock.advance(30_000);
	t.is(peakPerHost(), 2);
	t.is(results.length, 36, 'one row per slot');
	t.is(new Set(results.map(result => `${result.siteId}@${result.scheduledAt}`)).size, 36, 'no slot twice');
	const kinds = Map.groupBy(results, result => result.errorKind ?? 'ok');
	t.true((kinds.get('host_busy')?.length ?? 0) > 0, 'checks that waited for their host say so');
	t.true([...kinds.keys()].every(kind => ['ok', 'host_busy', 'skipped'].includes(kind)), [...kinds.keys()].join(','));
	t.true(kinds.get('host_busy')!.every(result => result.httpStatusCode === 0));
	t.is(engine.snapshot().totals.skippedHostBusy, kinds.get('host_busy')!.length);
	// A waiting check stands for the next slot when it comes, so what ran was at most an interval late
	// (the last slot has no successor and may wait longer).
	const lastSlot = Math.max(...results.map(result => result.scheduledAt));
	t.true(kinds.get('ok')!.filter(result => result.scheduledAt < lastSlot - 1000).every(result => result.sentAt! - result.scheduledAt <= 1000));
});

test('a check still waiting for a global slot at its next slot becomes client_busy, never a timeout', async t => {
	const clock = new FakeClock();
	const {probe} = fakeProbe(clock, () => 1500);
	const controller = createConcurrencyController({initial: 2, min: 2, max: 2});
	const sites = Array.from({length: 6}, (_, index): SiteSpec => ({id: index + 1, url: `http://h${index + 1}.test/`, intervalSeconds: 1}));
	// Two checks in flight at most, the ones waiting on their servers included (`--max-concurrency 2`).
	const engine = new CheckEngine({probe, clock, checksPerSite: 6, controller, maxInFlight: 2});
	engine.addSites(sites);
	const results = collect(engine);
	engine.start();
	await clock.advance(30_000);
	t.is(results.length, 36);
	const busy = results.filter(result => result.errorKind === 'client_busy');
	t.true(busy.length > 0);
	t.is(engine.snapshot().totals.skippedClientBusy, busy.length);
	t.false(results.some(result => result.httpStatusCode === 598));
});

test('once known, paths that hang share a quarter of their host; its healthy paths are checked on every slot, on time', async t => {
	const clock = new FakeClock();
	const hanging = (url: string) => Number(url.split('/').pop()) % 5 === 0;
	const {probe} = fakeProbe(clock, url => (hanging(url) ? 2000 : 20));
	// 200 paths of one host at 1 s, 40 of them hanging for the 2 s timeout: they alone could fill 80 connections.
	const engine = new CheckEngine({probe, clock, checksPerSite: 14, maxPerHost: 16, timeoutMs: 2000});
	engine.addSites(onHost('api.test', 200, 1));
	const results = collect(engine);
	engine.start();
	await clock.advance(60_000);
	const healthy = results.filter(result => !hanging(result.url));
	t.is(healthy.length, 160 * 14);
	t.false(healthy.some(result => result.httpStatusCode === 598), 'waiting for the host is never a timeout');
	// A first check cannot know its path hangs: until each hanging path has timed out once, 40 of them
	// (80 s of connection time) keep most of the host's 16 places busy for about 7 s. From then on:
	const steady = healthy.filter(result => result.scheduledAt >= Date.UTC(2026, 0, 1) + 8000);
	t.true(steady.length >= 160 * 5);
	t.deepEqual(steady.filter(result => result.httpStatusCode !== 200).map(result => result.errorKind), [], 'every healthy slot checked and up');
	t.true(steady.every(result => result.sentAt! - result.scheduledAt <= 100), 'on time');
	t.true(results.filter(result => hanging(result.url)).every(result => result.httpStatusCode === 598 || result.errorKind === 'host_busy' || result.errorKind === 'skipped'));
});
