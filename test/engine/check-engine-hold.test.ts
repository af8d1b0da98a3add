import test from 'ava';
import {CheckEngine} from '../../source/engine/check-engine.js';
import type {CheckResult, ProbeRequest} from '../../source/engine/types.js';
import {FakeClock} from '../helpers/fake-clock.js';

/**
Holding scheduling is what the monitor does while storage can keep no more results (a full disk):
slots pass without checks or rows and are counted, sites are not paused (a pause is the user's and
is stored), and checks go on where the grid is once the hold ends.
*/
test('while held, slots pass unchecked and counted, no site is paused, and checks go on after', async t => {
	const clock = new FakeClock();
	const asked: string[] = [];
	const engine = new CheckEngine({
		clock,
		checksPerSite: 3,
		async probe(request: ProbeRequest) {
			asked.push(request.url);
			await clock.sleep(50);
			return {httpStatusCode: 200, responseTimeMs: 50, regexMatchStatus: 2};
		},
	});
	engine.addSites([
		{id: 1, url: 'http://a.test/', intervalSeconds: 10},
		{id: 2, url: 'http://b.test/', intervalSeconds: 10},
	]);
	const results: CheckResult[] = [];
	engine.on('result', result => results.push(result));
	let done = false;
	engine.once('done', () => {
		done = true;
	});
	engine.start();
	await clock.advance(10_000);
	t.is(results.length, 2, 'one check each before the hold');

	engine.hold(true);
	await clock.advance(30_000);
	t.is(results.length, 2, 'no check and no row while held');
	t.is(asked.length, 2);
	t.is(engine.snapshot().totals.heldSlots, 6, 'three slots of each site passed');
	t.deepEqual(engine.snapshot().sites.map(site => site.status), ['up', 'up'], 'no site was paused');
	t.false(done, 'held slots are not checks: the sites still owe two each');

	engine.hold(false);
	await clock.advance(30_000);
	t.is(results.length, 6);
	t.true(done);
	for (const id of [1, 2]) {
		const slots = results.filter(result => result.siteId === id).map(result => result.scheduledAt);
		t.deepEqual(slots.slice(1).map(slot => (slot - slots[0]!) % 10_000), [0, 0], 'the grid went on through the hold');
		t.true(slots[1]! - slots[0]! >= 40_000, 'the checks after the hold are on slots after it');
	}

	t.is(engine.snapshot().totals.heldSlots, 6);
	await engine.stop();
});
