import type {LookupAddress} from 'node:dns';
import test from 'ava';
import {createCachedLookup, type Resolve} from '../../source/probe/index.js';
import {FakeClock} from '../helpers/fake-clock.js';

type Call = {hostname: string; family: number | undefined};

/** A resolver that counts its calls and answers after a tick, like getaddrinfo. */
function countingResolver(answer: (hostname: string) => LookupAddress[] | NodeJS.ErrnoException) {
	const calls: Call[] = [];
	const resolve: Resolve = (hostname, options, callback) => {
		calls.push({hostname, family: options.family as number | undefined});
		setImmediate(() => {
			const result = answer(hostname);
			if (Array.isArray(result)) {
				callback(null, result);
			} else {
				callback(result, []);
			}
		});
	};

	return {calls, resolve};
}

/** Calls a lookup function the way net.connect does and returns what it answered. */
async function ask(lookup: ReturnType<typeof createCachedLookup>, hostname: string, options: object): Promise<{error: NodeJS.ErrnoException | null; address: unknown; family: unknown}> {
	return new Promise(resolve => {
		lookup(hostname, options, (error, address, family) => {
			resolve({error, address, family});
		});
	});
}

const addresses: LookupAddress[] = [{address: '127.0.0.1', family: 4}, {address: '::1', family: 6}];

test('answers from the cache until the TTL passes', async t => {
	const {calls, resolve} = countingResolver(() => addresses);
	const clock = new FakeClock();
	const lookup = createCachedLookup({resolve, ttlMs: 100, now: () => clock.now()});
	t.like(await ask(lookup, 'example.test', {all: true}), {error: null, address: addresses});
	await clock.advance(99);
	t.like(await ask(lookup, 'example.test', {all: true}), {error: null, address: addresses});
	t.is(calls.length, 1);

	await clock.advance(1);
	await ask(lookup, 'example.test', {all: true});
	t.is(calls.length, 2);
});

test('concurrent lookups of one name share one resolution', async t => {
	const {calls, resolve} = countingResolver(() => addresses);
	const lookup = createCachedLookup({resolve});
	const answers = await Promise.all(Array.from({length: 10}, async () => ask(lookup, 'busy.test', {all: true})));
	t.is(calls.length, 1);
	t.true(answers.every(answer => answer.address === addresses));
});

test('a single-address request gets the first address and its family', async t => {
	const {resolve} = countingResolver(() => addresses);
	const lookup = createCachedLookup({resolve});
	t.like(await ask(lookup, 'one.test', {}), {error: null, address: '127.0.0.1', family: 4});
});

test('families are cached apart', async t => {
	const {calls, resolve} = countingResolver(() => addresses);
	const lookup = createCachedLookup({resolve});
	await ask(lookup, 'both.test', {all: true, family: 4});
	await ask(lookup, 'both.test', {all: true, family: 6});
	await ask(lookup, 'both.test', {all: true, family: 4});
	t.deepEqual(calls.map(call => call.family), [4, 6]);
});

test('failures are cached briefly, then retried', async t => {
	const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND gone.test'), {code: 'ENOTFOUND'});
	const {calls, resolve} = countingResolver(() => notFound);
	const clock = new FakeClock();
	const lookup = createCachedLookup({resolve, negativeTtlMs: 50, now: () => clock.now()});
	t.is((await ask(lookup, 'gone.test', {all: true})).error, notFound);
	await clock.advance(49);
	t.is((await ask(lookup, 'gone.test', {all: true})).error, notFound);
	t.is(calls.length, 1);
	await clock.advance(1);
	await ask(lookup, 'gone.test', {all: true});
	t.is(calls.length, 2);
});

test('the oldest names are dropped beyond maxEntries', async t => {
	const {calls, resolve} = countingResolver(() => addresses);
	const lookup = createCachedLookup({resolve, maxEntries: 2});
	await ask(lookup, 'a.test', {all: true});
	await ask(lookup, 'b.test', {all: true});
	await ask(lookup, 'c.test', {all: true});
	await ask(lookup, 'c.test', {all: true});
	await ask(lookup, 'a.test', {all: true});
	t.deepEqual(calls.map(call => call.hostname), ['a.test', 'b.test', 'c.test', 'a.test']);
});
