import test from 'ava';
import {createConcurrencyController, type ControllerSignals} from '../../source/engine/concurrency-controller.js';

const healthy: ControllerSignals = {
	freshTimeoutRate: 0, eventLoopDelayP99Ms: 5, cpuUtilisation: 0.3, latenessP90Ms: 0, waiting: 100, peakInFlight: 1000, stalledInFlight: 0,
};

test('raises while checks wait and everything is healthy, fast at first', t => {
	const controller = createConcurrencyController({initial: 10});
	t.is(controller.update(healthy).limit, 20);
	t.is(controller.update({...healthy, peakInFlight: 20}).limit, 40);
	t.regex(controller.reason, /raise/);
});

test('holds when nothing waits for a slot', t => {
	const controller = createConcurrencyController({initial: 10});
	t.is(controller.update({...healthy, waiting: 0}).limit, 10);
	t.regex(controller.reason, /no checks waiting/);
});

test('cuts on event-loop delay, CPU and fresh timeouts, then grows additively', t => {
	const controller = createConcurrencyController({initial: 100});
	t.is(controller.update({...healthy, eventLoopDelayP99Ms: 250}).limit, 70);
	t.regex(controller.reason, /event-loop delay 250 ms/);
	t.is(controller.update({...healthy, cpuUtilisation: 0.97}).limit, 49);
	t.regex(controller.reason, /CPU 97%/);
	t.is(controller.update({...healthy, freshTimeoutRate: 0.2}).limit, 34);
	t.regex(controller.reason, /timed out/);
	t.is(controller.update({...healthy, waiting: 10}).limit, 36, 'additive after the first cut');
});

test('after a cut, a backlog larger than the limit grows it by a quarter per tick, a smaller one by 5%', t => {
	const controller = createConcurrencyController({initial: 200});
	t.is(controller.update({...healthy, cpuUtilisation: 0.95}).limit, 140);
	// 25,000 checks queued behind 140 slots (a restart with dead sites holding slots).
	t.is(controller.update({...healthy, waiting: 25_000, peakInFlight: 140}).limit, 175);
	t.regex(controller.reason, /backlog larger than the limit/);
	t.is(controller.update({...healthy, waiting: 25_000, peakInFlight: 175}).limit, 219);
	// Once fewer checks wait than there are slots, growth is additive again.
	t.is(controller.update({...healthy, waiting: 100, peakInFlight: 219}).limit, 219 + 11);
	t.regex(controller.reason, /^raise: checks waiting, all healthy$/);
});

test('a steady share of dead sites does not cut the limit', t => {
	const controller = createConcurrencyController({initial: 50});
	// Dead sites time out all the time, but they were not up before: the fresh rate stays 0.
	t.is(controller.update({...healthy, freshTimeoutRate: 0}).limit, 100);
});

test('never goes past --max-concurrency or below the minimum', t => {
	const controller = createConcurrencyController({initial: 8, max: 10, min: 4});
	t.is(controller.update(healthy).limit, 10);
	t.is(controller.update(healthy).limit, 10);
	t.regex(controller.reason, /max-concurrency 10/);
	for (let index = 0; index < 10; index++) {
		controller.update({...healthy, eventLoopDelayP99Ms: 1000});
	}

	t.is(controller.limit, 4);
});

test('in slow start every check that finishes while others wait adds a slot; after a cut it does not', t => {
	const controller = createConcurrencyController({initial: 10});
	controller.completed?.(5);
	controller.completed?.(5);
	t.is(controller.limit, 12);
	controller.completed?.(0);
	t.is(controller.limit, 12, 'nothing waits: no reason to grow');
	controller.update({...healthy, eventLoopDelayP99Ms: 500});
	t.is(controller.limit, 8);
	controller.completed?.(5);
	t.is(controller.limit, 8);
});

test('a CPU cut leaves the slots of checks waiting on silent servers: they use no CPU', t => {
	const controller = createConcurrencyController({initial: 1000});
	// 800 of 1,000 slots held by checks out for over a second: only the other 200 are cut.
	t.is(controller.update({...healthy, cpuUtilisation: 0.98, stalledInFlight: 800}).limit, 800 + 140);
	t.regex(controller.reason, /^cut: CPU 98% > 90%; the 800 checks waiting on servers keep their slots$/);
	// Every slot held that way: nothing to cut, and a cut never raises the limit.
	t.is(controller.update({...healthy, cpuUtilisation: 0.98, stalledInFlight: 2000}).limit, 940);
	// Event-loop delay is this process's own lag (a reply may be waiting on us): the whole limit is cut.
	t.is(controller.update({...healthy, eventLoopDelayP99Ms: 300, stalledInFlight: 800}).limit, 658);
	t.regex(controller.reason, /^cut: event-loop delay 300 ms > 100 ms$/);
});

test('a raise gives back at least the slots that silent servers took since the last tick', t => {
	const controller = createConcurrencyController({initial: 1000});
	controller.update({...healthy, cpuUtilisation: 0.98});
	t.is(controller.limit, 700);
	// 140 more checks stalled during the tick: +5% (35) would not even replace them.
	t.is(controller.update({...healthy, waiting: 100, peakInFlight: 700, stalledInFlight: 140}).limit, 840);
	t.is(controller.update({...healthy, waiting: 100, peakInFlight: 840, stalledInFlight: 150}).limit, 840 + 42, 'few newly stalled: +5%');
	// A backlog larger than the limit: a quarter, or the newly stalled if more.
	t.is(controller.update({...healthy, waiting: 5000, peakInFlight: 882, stalledInFlight: 1500}).limit, 882 + 1350);
});
