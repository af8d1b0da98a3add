import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import test from 'ava';
import {regexMatchStatus} from '../../source/engine/types.js';
import {compilePattern, createRegexMatcher} from '../../source/probe/index.js';
import {FakeClock} from '../helpers/fake-clock.js';
import {abText, bytesOf, endlessPattern, mebibyte, slowPattern} from './regex-bodies.js';

const run = promisify(execFile);

// Patterns here have a metacharacter (`co[p]y`, not `copy`): a plain one is searched as bytes, on
// the calling thread (literal-pattern.test.ts), and would not reach a thread.
// Serial: these tests keep threads busy on purpose. Timeouts run on a fake clock, so however slow
// the machine, a match times out only where a test moves the clock; the others never do.
const stillTime = () => ({clock: new FakeClock()});

test.serial('a small body with a small pattern is matched inline, without a thread', async t => {
	const matcher = createRegexMatcher();
	try {
		t.deepEqual(await matcher.match(compilePattern(String.raw`ipsum\s+dolor`), bytesOf('lorem ipsum dolor')), {regexMatchStatus: regexMatchStatus.ok});
		t.deepEqual(await matcher.match(compilePattern('(a+)+$'), bytesOf(`${'a'.repeat(4000)}!`)), {regexMatchStatus: regexMatchStatus.fail});
		t.like(matcher.stats, {inlineMatches: 2, threadedMatches: 0, threadsStarted: 0, threadsAlive: 0});
	} finally {
		await matcher.close();
	}
});

test.serial('a big pattern goes to a thread even with a small body', async t => {
	const matcher = createRegexMatcher(stillTime());
	try {
		// 433 instructions: 1 KiB of adversarial text already costs the event loop tens of ms.
		const result = await matcher.match(compilePattern('(.{0,20}a){10}$'), bytesOf(abText(1024)));
		t.deepEqual(result, {regexMatchStatus: regexMatchStatus.fail});
		t.like(matcher.stats, {inlineMatches: 0, threadedMatches: 1, threadsStarted: 1, threadsAlive: 1});
	} finally {
		await matcher.close();
	}
});

test.serial('big bodies share one lazily started thread, first come first served, and bytes are decoded as UTF-8', async t => {
	const matcher = createRegexMatcher(stillTime());
	try {
		const big = (tail: string) => bytesOf(`${'x'.repeat(100 * 1024)}${tail}`);
		const order: string[] = [];
		const results = await Promise.all(['y', 'z', 'xy'].map(async (tail, index) => {
			const result = await matcher.match(compilePattern('(x+x+)+y'), big(tail));
			order.push(String(index));
			return result.regexMatchStatus;
		}));
		t.deepEqual(results, [regexMatchStatus.ok, regexMatchStatus.fail, regexMatchStatus.ok]);
		t.deepEqual(order, ['0', '1', '2']);
		t.deepEqual(await matcher.match(compilePattern('ünïcød[é]'), big('ünïcødé')), {regexMatchStatus: regexMatchStatus.ok});
		t.like(matcher.stats, {threadedMatches: 4, threadsStarted: 1, threadsAlive: 1, queued: 0});
	} finally {
		await matcher.close();
	}
});

test.serial('threads grow up to the pool size', async t => {
	const matcher = createRegexMatcher({threads: 2, ...stillTime()});
	try {
		const pattern = compilePattern(slowPattern);
		const results = await Promise.all([1, 2, 3].map(async () => matcher.match(pattern, bytesOf(abText(256 * 1024)))));
		t.deepEqual(results.map(result => result.regexMatchStatus), [0, 0, 0]);
		t.like(matcher.stats, {threadsStarted: 2, threadsAlive: 2});
	} finally {
		await matcher.close();
	}
});

test.serial('a body that owns its buffer is transferred; a slice of a shared one is copied', async t => {
	const matcher = createRegexMatcher({inlineMaxBytes: 0, ...stillTime()});
	try {
		const owned = bytesOf('transfer me');
		t.is((await matcher.match(compilePattern('tran[s]fer'), owned)).regexMatchStatus, regexMatchStatus.ok);
		t.is(owned.byteLength, 0, 'detached: moved to the thread, not copied');

		// Small Buffers are slices of Node's shared pool: detaching it would wipe the neighbours too.
		const shared = Buffer.from('neighbour|copy me');
		const neighbour = shared.subarray(0, 9);
		const slice = shared.subarray(10);
		t.is((await matcher.match(compilePattern('co[p]y'), slice)).regexMatchStatus, regexMatchStatus.ok);
		t.is(slice.toString(), 'copy me');
		t.is(neighbour.toString(), 'neighbour');
	} finally {
		await matcher.close();
	}
});

test.serial('a match that exceeds its timeout is not checked, and the next one gets a fresh thread', async t => {
	// Every body goes to a thread; the one after the stuck match is small, so only the stall holds it up.
	const clock = new FakeClock();
	const matcher = createRegexMatcher({timeoutMs: 1000, inlineMaxBytes: 0, clock});
	try {
		// ~15 s of real time: only the timeout can end it sooner.
		const stuck = matcher.match(compilePattern(endlessPattern), bytesOf(abText(mebibyte)));
		const queued = matcher.match(compilePattern('(a+)+$'), bytesOf('aaaa!'));
		t.like(matcher.stats, {threadsStarted: 1, queued: 1}, 'one thread, the second job waiting for it');
		await clock.advance(1000);
		t.deepEqual(await stuck, {regexMatchStatus: regexMatchStatus.notChecked, errorMessage: 'regex match exceeded 1000 ms'});
		// Its own timeout never comes (the clock stays put), however long its fresh thread takes to load.
		t.deepEqual(await queued, {regexMatchStatus: regexMatchStatus.fail}, 'the job queued behind it still ran');
		t.like(matcher.stats, {timeouts: 1, threadsStarted: 2, threadsAlive: 1});

		t.deepEqual(await matcher.match(compilePattern('(x+x+)+y'), bytesOf('xxxxy')), {regexMatchStatus: regexMatchStatus.ok});
		t.like(matcher.stats, {threadsStarted: 2, threadedMatches: 3});
	} finally {
		await matcher.close();
	}
});

test.serial('an abort ends a running match and a queued one', async t => {
	const matcher = createRegexMatcher({timeoutMs: 60_000});
	try {
		const controller = new AbortController();
		const pattern = compilePattern(endlessPattern);
		const running = matcher.match(pattern, bytesOf(abText(mebibyte)), {signal: controller.signal});
		const queued = matcher.match(pattern, bytesOf(abText(mebibyte)), {signal: controller.signal});
		setTimeout(() => {
			controller.abort();
		}, 100);
		const aborted = {regexMatchStatus: regexMatchStatus.notChecked, errorMessage: 'regex match aborted'};
		t.deepEqual(await running, aborted);
		t.deepEqual(await queued, aborted);
		t.deepEqual(await matcher.match(pattern, bytesOf(abText(mebibyte)), {signal: controller.signal}), aborted);
		t.like(matcher.stats, {threadsAlive: 0, queued: 0});
	} finally {
		await matcher.close();
	}
});

test.serial('close() ends pending matches and terminates every thread', async t => {
	const matcher = createRegexMatcher({timeoutMs: 60_000});
	const pattern = compilePattern(endlessPattern);
	const running = matcher.match(pattern, bytesOf(abText(mebibyte)));
	const queued = matcher.match(pattern, bytesOf(abText(mebibyte)));
	await new Promise(resolve => {
		setTimeout(resolve, 100);
	});
	await matcher.close();
	const closed = {regexMatchStatus: regexMatchStatus.notChecked, errorMessage: 'regex matcher is closed'};
	t.deepEqual(await running, closed);
	t.deepEqual(await queued, closed);
	t.deepEqual(await matcher.match(compilePattern('[a]'), bytesOf(abText(mebibyte))), closed);
	t.like(matcher.stats, {threadsStarted: 1, threadsAlive: 0});
});

/** Runs `script` (ESM) in a fresh Node with tsx, so the test can watch whether the process exits by itself. */
async function runScript(script: string) {
	// Generous: the bound only ends a process that would otherwise run for minutes.
	const {stdout} = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {timeout: 60_000});
	return {stdout: stdout.trim()};
}

const imports = `
import {createRegexMatcher, compilePattern} from ${JSON.stringify(new URL('../../source/probe/index.ts', import.meta.url).href)};
import {abText, bytesOf} from ${JSON.stringify(new URL('regex-bodies.ts', import.meta.url).href)};
`;

test.serial('a busy thread keeps the process alive until its verdict; an idle one does not', async t => {
	const {stdout} = await runScript(`${imports}
const matcher = createRegexMatcher();
const result = await matcher.match(compilePattern(${JSON.stringify(slowPattern)}), bytesOf(abText(${mebibyte})));
console.log(JSON.stringify({...result, ...matcher.stats}));
// No close(): the idle thread must not hold the process open.
`);
	t.like(JSON.parse(stdout), {regexMatchStatus: regexMatchStatus.fail, threadsStarted: 1, threadsAlive: 1});
});

test.serial('close() during a long match lets the process exit at once', async t => {
	// 16 MiB: the match alone would run for minutes, far past runScript's bound, so a process that
	// waited for it fails the test instead of passing slowly.
	const {stdout} = await runScript(`${imports}
const matcher = createRegexMatcher({timeoutMs: 600_000});
const pending = matcher.match(compilePattern(${JSON.stringify(endlessPattern)}), bytesOf(abText(${16 * mebibyte})));
setTimeout(() => matcher.close(), 200);
console.log(JSON.stringify({...await pending, ...matcher.stats}));
`);
	t.like(JSON.parse(stdout), {regexMatchStatus: regexMatchStatus.notChecked, errorMessage: 'regex matcher is closed', threadsAlive: 0});
});
