import test from 'ava';
import type {CheckResult} from '../../source/engine/types.js';
import {ShardSupervisor} from '../../source/workers/shard-supervisor.js';
import {waitFor} from '../helpers/wait-for.js';

/** A supervisor over the wedged fixture worker, started, with one check reported in flight. */
async function wedgedShard() {
	const rows: CheckResult[] = [];
	const warnings: string[] = [];
	const shard = new ShardSupervisor({
		index: 0,
		init: {checksPerSite: 0, timeoutMs: 1000, maxPerHost: 1},
		script: new URL('fixtures/wedged-shard-worker.ts', import.meta.url),
		sites: () => [],
		slotsUsed: () => undefined,
		onReady() {
			shard.begin(Date.now());
		},
		onUpdate(results) {
			rows.push(...results);
		},
		onDone: () => undefined,
		warn(line) {
			warnings.push(line);
		},
	});
	shard.spawn();
	// The worker's first update (the check it started) has been taken in.
	await waitFor(() => shard.totals !== undefined, 60_000, {what: 'the wedged worker\'s first update'});
	return {shard, rows, warnings};
}

/** `promise`'s value, or 'hung' when it has not settled within `ms` (generous: it is a hang detector). */
async function orHung<T>(promise: Promise<T>, ms: number): Promise<T | 'hung'> {
	let timer: NodeJS.Timeout | undefined;
	const hung = new Promise<'hung'>(resolve => {
		timer = setTimeout(resolve, ms, 'hung');
	});
	try {
		return await Promise.race([promise, hung]);
	} finally {
		clearTimeout(timer);
	}
}

test('a wedged worker does not hang stop(): it is terminated after the bound and its check in flight becomes a worker_crash row', async t => {
	const {shard, rows, warnings} = await wedgedShard();
	t.not(await orHung(shard.stop(300), 60_000), 'hung', 'stop() resolved');
	t.deepEqual(rows.map(row => [row.siteId, row.url, row.errorKind, row.httpStatusCode]), [[7, 'http://127.0.0.1:9/wedged', 'worker_crash', 0]]);
	t.true(warnings.some(line => line.includes('shard 0 did not stop within 0.3 s; terminating it (its 1 checks in flight are stored as worker_crash)')), warnings.join('\n'));
});

test('a shorter bound (a forced stop) brings the deadline of a stop under way forward', async t => {
	const {shard, rows} = await wedgedShard();
	// The drain's bound: far beyond this test's patience.
	const graceful = shard.stop(10 * 60_000);
	const forced = shard.stop(300);
	t.not(await orHung(Promise.all([graceful, forced]), 60_000), 'hung', 'both resolved');
	t.is(rows.filter(row => row.errorKind === 'worker_crash').length, 1, 'the check in flight is a row, once');
});
