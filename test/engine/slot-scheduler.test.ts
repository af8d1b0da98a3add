import test from 'ava';
import {SlotScheduler} from '../../source/engine/slot-scheduler.js';
import {FakeClock} from '../helpers/fake-clock.js';

/** A scheduler on a fake clock that records, for each slot, when it fired and in which batch. */
function recorder(batchMs: number) {
	const clock = new FakeClock(1_000_000);
	const fired: Array<{site: number; slot: number; at: number; batch: number}> = [];
	let batch = 0;
	const scheduler = new SlotScheduler(clock, (site, slot) => {
		fired.push({site, slot, at: clock.now(), batch});
	}, () => {
		batch++;
	}, batchMs);
	return {clock, fired, scheduler};
}

test('without a batch step every slot fires at its own moment', async t => {
	const {clock, fired, scheduler} = recorder(0);
	for (const [site, offset] of [[1, 1], [2, 4], [3, 9], [4, 10]] as const) {
		scheduler.set(site, 1_000_000 + offset);
	}

	scheduler.start();
	await clock.advance(20);
	t.deepEqual(fired.map(({slot, at}) => at - slot), [0, 0, 0, 0]);
	t.deepEqual(fired.map(({batch}) => batch), [0, 1, 2, 3]);
});

test('with a 10 ms step, slots due in one step fire together at its end, never before their slot', async t => {
	const {clock, fired, scheduler} = recorder(10);
	// Due at +1, +4, +9 and +10 (one step: (1,000,000, 1,000,010]), then +11 and +19.5 (the next).
	for (const [site, offset] of [[1, 1], [2, 4], [3, 9], [4, 10], [5, 11], [6, 19.5]] as const) {
		scheduler.set(site, 1_000_000 + offset);
	}

	scheduler.start();
	await clock.advance(30);
	t.deepEqual(fired.map(({site}) => site), [1, 2, 3, 4, 5, 6], 'in slot order');
	t.deepEqual(fired.map(({at}) => at - 1_000_000), [10, 10, 10, 10, 20, 20]);
	t.deepEqual(fired.map(({batch}) => batch), [0, 0, 0, 0, 1, 1]);
	for (const {slot, at} of fired) {
		t.true(at >= slot && at - slot < 10, `slot ${slot} fired ${at - slot} ms after it`);
	}
});

test('an earlier slot set while a later step is armed re-arms for its own step', async t => {
	const {clock, fired, scheduler} = recorder(10);
	scheduler.set(1, 1_000_025);
	scheduler.start();
	scheduler.set(2, 1_000_003);
	await clock.advance(40);
	t.deepEqual(fired.map(({site, at}) => [site, at - 1_000_000]), [[2, 10], [1, 30]]);
	t.is(clock.pendingTimers, 0);
});

test('a batch step must be a non-negative number', t => {
	const clock = new FakeClock();
	t.throws(() => new SlotScheduler(clock, () => undefined, () => undefined, -1), {instanceOf: RangeError});
	t.throws(() => new SlotScheduler(clock, () => undefined, () => undefined, NaN), {instanceOf: RangeError});
});
