import test from 'ava';
import type {DatabasePool} from 'slonik';
import {createBatchedResultWriter} from '../../source/storage/batched-result-writer.js';
import {FakeClock} from '../helpers/fake-clock.js';
import {checkResult} from './check-result-fixture.js';

/**
Only the retry schedule is under test here, so the pool is a stand-in whose `query` fails while
`down` is true; the database behaviour itself is covered against real databases in
batched-result-writer.test.ts.
*/
function flakyPool(clock: FakeClock) {
	const attempts: number[] = [];
	const state = {down: true};
	const pool = {
		async query() {
			attempts.push(clock.now());
			if (state.down) {
				throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {code: 'ECONNREFUSED'});
			}

			return {rowCount: 1, rows: [], fields: [], command: 'INSERT', notices: [], type: 'QueryResult'};
		},
	} as unknown as DatabasePool;
	return {pool, attempts, state};
}

function gaps(times: number[]): number[] {
	return times.slice(1).map((time, index) => time - times[index]!);
}

test('retries back off exponentially from 250 ms, capped at 10 s, with jitter of up to half', async t => {
	const clock = new FakeClock();
	const {pool, attempts, state} = flakyPool(clock);
	const writer = createBatchedResultWriter({pool, clock, random: () => 0});
	writer.push(checkResult({siteId: 1, scheduledAt: clock.now()}));
	await clock.advance(250);
	t.is(attempts.length, 1, 'the partial batch went out when it was 250 ms old');
	t.like(writer.stats(), {state: 'retrying', queued: 1, failures: 1, nextRetryInMs: 125});

	await clock.advance(60_000);
	// Random() = 0 takes the low end of each window: half of 250, 500, 1000, ... capped at 10,000.
	t.deepEqual(gaps(attempts).slice(0, 9), [125, 250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
	t.like(writer.stats(), {queued: 1, written: 0});

	state.down = false;
	const flushed = writer.flush();
	await clock.advance(10_000);
	await flushed;
	t.like(writer.stats(), {state: 'connected', queued: 0, written: 1, batches: 1});
	t.is(writer.stats().nextRetryInMs, undefined);
	await writer.close();
	t.is(writer.stats().state, 'closed');
});

test('jitter stays within [half, full] of the window', async t => {
	const clock = new FakeClock();
	const {pool, attempts} = flakyPool(clock);
	const writer = createBatchedResultWriter({pool, clock, random: () => 0.999999, retryMaxMs: 1000});
	writer.push(checkResult({siteId: 1, scheduledAt: clock.now()}));
	void writer.flush();
	await clock.advance(10_000);
	const observed = gaps(attempts);
	t.true(observed.length > 5);
	for (const [index, gap] of observed.entries()) {
		const window = Math.min(1000, 250 * (2 ** index));
		t.true(gap >= window / 2 && gap <= window, `gap ${gap} outside [${window / 2}, ${window}]`);
	}

	const closing = writer.close({timeoutMs: 1});
	await clock.advance(1);
	await closing;
});

test('pushes during an outage wait for the retry timer instead of hammering the database', async t => {
	const clock = new FakeClock();
	const {pool, attempts} = flakyPool(clock);
	const writer = createBatchedResultWriter({pool, clock, random: () => 0, maxBatchRows: 10});
	for (let index = 0; index < 10; index++) {
		writer.push(checkResult({siteId: 1, scheduledAt: clock.now() + index}));
	}

	await clock.advance(0);
	t.is(attempts.length, 1, 'a full batch goes out at once');
	for (let index = 10; index < 100; index++) {
		writer.push(checkResult({siteId: 1, scheduledAt: clock.now() + index}));
	}

	await clock.advance(100);
	t.is(attempts.length, 1);
	t.is(writer.stats().queued, 100);
	const closing = writer.close({timeoutMs: 1000});
	await clock.advance(1000);
	await closing;
	t.like(writer.stats(), {queued: 0, lost: 100}, 'rows that could not be stored are still counted (no journal: lost)');
});
