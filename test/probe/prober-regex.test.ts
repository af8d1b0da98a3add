import test from 'ava';
import {regexMatchStatus} from '../../source/engine/types.js';
import {createProber} from '../../source/probe/index.js';
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

/** Records the longest gap between ticks of a 5 ms interval: how long the event loop was blocked. */
function watchEventLoop() {
	let last = performance.now();
	let longestGapMs = 0;
	const timer = setInterval(() => {
		const now = performance.now();
		longestGapMs = Math.max(longestGapMs, now - last);
		last = now;
	}, 5);
	return {
		stop() {
			clearInterval(timer);
			// A block that ends just before the awaited result resolves is not followed by a tick: count it here.
			return Math.max(longestGapMs, performance.now() - last);
		},
	};
}

// Serial: nothing else in this process may compete for its event loop while it is watched.
test.serial('catastrophic patterns on 1 MiB bodies get their verdicts while the event loop keeps ticking', async t => {
	const server = await bodyServer();
	const prober = createProber();
	try {
		const watch = watchEventLoop();
		// On the event loop, the last of these alone blocks it for ~200 ms (see regex-bodies.ts).
		const [a, x, ab] = await Promise.all([
			prober.probe({url: server.url('/a'), regex: '(a+)+$'}),
			prober.probe({url: server.url('/x'), regex: '(x+x+)+y'}),
			prober.probe({url: server.url('/ab'), regex: slowPattern}),
		]);
		const longestGapMs = watch.stop();
		for (const outcome of [a, x, ab]) {
			assertWellFormed(t, outcome);
		}

		t.like(a, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.fail, errorKind: undefined});
		t.like(x, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});
		t.like(ab, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.fail, errorKind: undefined});
		t.true(longestGapMs < 100, `the event loop stalled for ${Math.round(longestGapMs)} ms`);
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a small body is still matched', async t => {
	const server = await bodyServer();
	const prober = createProber();
	try {
		const outcome = await prober.probe({url: server.url('/small'), regex: '(?i)SMALL\\s+page'});
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a match that runs out of time keeps the status, is not checked, and says why; the next probe matches', async t => {
	const server = await bodyServer();
	const prober = createProber({regexTimeoutMs: 1000});
	try {
		const stuck = await prober.probe({url: server.url('/ab'), regex: endlessPattern});
		assertWellFormed(t, stuck);
		t.like(stuck, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.notChecked, errorKind: 'other', errorMessage: 'regex match exceeded 1000 ms'});
		t.true(stuck.responseTimeMs < 1000, 'the regex\'s time is not the site\'s response time');

		const next = await prober.probe({url: server.url('/x'), regex: '(x+x+)+y'});
		t.like(next, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a timed-out match on a truncated body keeps body_too_large and says both', async t => {
	const server = await bodyServer();
	const prober = createProber({regexTimeoutMs: 1000, maxBodyBytes: mebibyte - 1});
	try {
		const outcome = await prober.probe({url: server.url('/ab'), regex: endlessPattern});
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
	const prober = createProber({regexTimeoutMs: 60_000});
	try {
		const controller = new AbortController();
		const pending = prober.probe({url: server.url('/ab'), regex: endlessPattern, signal: controller.signal});
		setTimeout(() => {
			controller.abort();
		}, 500);
		const outcome = await pending;
		assertWellFormed(t, outcome);
		// The body arrives in milliseconds over loopback, so the abort finds the match running.
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.notChecked, errorKind: 'other', errorMessage: 'regex match aborted'});
	} finally {
		await prober.close();
		await server.close();
	}
});
