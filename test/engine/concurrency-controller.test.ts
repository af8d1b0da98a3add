import test from 'ava';
import {createConcurrencyController, type ControllerSignals} from '../../source/engine/concurrency-controller.js';

const healthy: ControllerSignals = {
	freshTimeoutRate: 0, eventLoopDelayP99Ms: 5, cpuUtilisation: 0.3, latenessP90Ms: 0, waiting: 100, peakInFlight: 1000,
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
