import test from 'ava';
import {InFlightAges, stalledAfterMs} from '../../source/engine/in-flight-ages.js';

test('a check counts as stalled once it has been out for stalledAfterMs, to within one 100 ms slice', t => {
	const ages = new InFlightAges();
	ages.add(1000);
	ages.add(1050);
	ages.add(1400);
	t.is(ages.stalled(1000 + stalledAfterMs - 1), 0);
	t.is(ages.stalled(1100 + stalledAfterMs), 2, 'both checks of the 1,000-1,099 slice');
	t.is(ages.stalled(1499 + stalledAfterMs), 2);
	t.is(ages.stalled(1500 + stalledAfterMs), 3);
});

test('a stalled check that ends is no longer counted, nor is one that ends before it stalls', t => {
	const ages = new InFlightAges();
	ages.add(0);
	ages.add(0);
	ages.add(300);
	t.is(ages.stalled(1000), 3);
	ages.remove(0);
	t.is(ages.stalled(1000), 2);
	ages.add(900);
	ages.remove(900);
	t.is(ages.stalled(5000), 2, 'the check that ended young never counts');
	ages.remove(0);
	ages.remove(300);
	t.is(ages.stalled(10_000), 0);
});

test('time that goes back neither uncounts nor double-counts', t => {
	const ages = new InFlightAges();
	ages.add(10_000);
	t.is(ages.stalled(20_000), 1);
	t.is(ages.stalled(5000), 1);
	// A check started "before" the counted boundary (the wall clock went back) is stalled at once.
	ages.add(2000);
	t.is(ages.stalled(20_000), 2);
	ages.remove(2000);
	ages.remove(10_000);
	t.is(ages.stalled(30_000), 0);
});
