import {setTimeout as delay} from 'node:timers/promises';
import test from 'ava';
import {regexMatchStatus} from '../../source/engine/types.js';
import {createProber, createRegexMatcher} from '../../source/probe/index.js';
import {FakeClock} from '../helpers/fake-clock.js';
import {waitFor} from '../helpers/wait-for.js';
import {assertWellFormed, httpServer} from './loopback.js';
import {abText, endlessPattern, mebibyte, slowPattern} from './regex-bodies.js';

const bodies: Record<string, string> = {
	'/a': `${'a'.repeat(mebibyte - 1)}!`,
	'/x': `${'x'.repeat(mebibyte - 1)}y`,
	'/ab': abText(mebibyte),
};

async function bodyServer() {
	return httpServer((request, response) => {
		response.end(bodies[request.url ?? ''] ?? 'small page');
	});
}

/**
A matcher whose timeouts run on `clock`: a test that never moves it gets no timeout however slow the
machine; the prober closes it.
*/
function fakeTimedMatcher(options: {timeoutMs?: number; clock?: FakeClock} = {}) {
	const clock = options.clock ?? new FakeClock();
	return createRegexMatcher({timeoutMs: options.timeoutMs, clock});
}

test('catastrophic patterns on 1 MiB bodies get their verdicts on the helper thread, not the event loop', async t => {
	const server = await bodyServer();
	const matcher = fakeTimedMatcher();
	const prober = createProber({regexMatcher: matcher});
	try {
		// On the event loop, the last of these alone blocks it for ~200 ms (see regex-bodies.ts); how long
		// the loop really stalls is the benchmark's to measure. Here: the work went to the thread.
		const [a, x, ab] = await Promise.all([
			prober.probe({url: server.url('/a'), regex: '(a+)+$'}),
			prober.probe({url: server.url('/x'), regex: '(x+x+)+y'}),
			prober.probe({url: server.url('/ab'), regex: slowPattern}),
		]);
		for (const outcome of [a, x, ab]) {
			assertWellFormed(t, outcome);
		}

		t.like(a, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.fail, errorKind: undefined});
		t.like(x, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});
		t.like(ab, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.fail, errorKind: undefined});
		t.like(matcher.stats, {inlineMatches: 0, threadedMatches: 3, threadsStarted: 1}, 'every 1 MiB match ran on the thread');
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a small body is still matched, on the event loop', async t => {
	const server = await bodyServer();
	const matcher = fakeTimedMatcher();
	const prober = createProber({regexMatcher: matcher});
	try {
		const outcome = await prober.probe({url: server.url('/small'), regex: String.raw`(?i)SMALL\s+page`});
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});
		t.like(matcher.stats, {inlineMatches: 1, threadedMatches: 0, threadsStarted: 0});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a match that runs out of time keeps the status, is not checked, and says why; the next probe matches', async t => {
	const server = await bodyServer();
	const clock = new FakeClock();
	const matcher = fakeTimedMatcher({timeoutMs: 1000, clock});
	const prober = createProber({regexMatcher: matcher});
	try {
		const calledAt = performance.now();
		const pending = prober.probe({url: server.url('/ab'), regex: endlessPattern});
		// The body has been read and its match handed to the thread.
		await waitFor(() => matcher.stats.threadedMatches === 1, 60_000);
		const matchingFrom = performance.now();
		// Real time passes while the match runs (~15 s if nothing stopped it), then its timeout comes.
		await delay(50);
		await clock.advance(1000);
		const stuck = await pending;
		assertWellFormed(t, stuck);
		t.like(stuck, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.notChecked, errorKind: 'other', errorMessage: 'regex match exceeded 1000 ms'});
		t.true(stuck.responseTimeMs <= matchingFrom - calledAt, `the regex's time is not the site's response time: ${stuck.responseTimeMs} ms, the match began after ${matchingFrom - calledAt} ms`);

		const next = await prober.probe({url: server.url('/x'), regex: '(x+x+)+y'});
		t.like(next, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});
		t.like(matcher.stats, {timeouts: 1, threadsStarted: 2});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a timed-out match on a truncated body keeps body_too_large and says both', async t => {
	const server = await bodyServer();
	const clock = new FakeClock();
	const matcher = fakeTimedMatcher({timeoutMs: 1000, clock});
	const prober = createProber({regexMatcher: matcher, maxBodyBytes: mebibyte - 1});
	try {
		const pending = prober.probe({url: server.url('/ab'), regex: endlessPattern});
		await waitFor(() => matcher.stats.threadedMatches === 1, 60_000);
		await clock.advance(1000);
		const outcome = await pending;
		assertWellFormed(t, outcome);
		t.like(outcome, {
			httpStatusCode: 200,
			regexMatchStatus: regexMatchStatus.notChecked,
			errorKind: 'body_too_large',
			errorMessage: `body is larger than ${mebibyte - 1} bytes; regex match exceeded 1000 ms`,
		});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('aborting the probe also stops its match', async t => {
	const server = await bodyServer();
	const matcher = fakeTimedMatcher();
	const prober = createProber({regexMatcher: matcher});
	try {
		const controller = new AbortController();
		const pending = prober.probe({url: server.url('/ab'), regex: endlessPattern, signal: controller.signal});
		// The abort finds the match running: the body has been read and handed to the thread.
		await waitFor(() => matcher.stats.threadedMatches === 1, 60_000);
		controller.abort();
		const outcome = await pending;
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.notChecked, errorKind: 'other', errorMessage: 'regex match aborted'});
		t.like(matcher.stats, {threadsAlive: 0}, 'the thread running it was stopped');
	} finally {
		await prober.close();
		await server.close();
	}
});
