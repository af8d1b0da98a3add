import test from 'ava';
import {createAbortFanout} from '../../source/probe/abort-fanout.js';

test('every watcher of a signal is called once when it aborts, through one listener', t => {
	const fanout = createAbortFanout();
	const controller = new AbortController();
	let listeners = 0;
	const add = controller.signal.addEventListener.bind(controller.signal);
	controller.signal.addEventListener = (...parameters: Parameters<typeof add>) => {
		listeners++;
		add(...parameters);
	};

	const calls: number[] = [];
	for (let index = 0; index < 1000; index++) {
		fanout.watch(controller.signal, () => calls.push(index));
	}

	t.is(listeners, 1);
	controller.abort();
	controller.abort();
	t.is(calls.length, 1000);
	t.deepEqual(calls.slice(0, 3), [0, 1, 2]);
});

test('a watcher that stopped watching is not called; the others are', t => {
	const fanout = createAbortFanout();
	const controller = new AbortController();
	const calls: string[] = [];
	const stopA = fanout.watch(controller.signal, () => calls.push('a'));
	fanout.watch(controller.signal, () => calls.push('b'));
	stopA();
	stopA();
	controller.abort();
	t.deepEqual(calls, ['b']);
});

test('signals are apart: aborting one calls only its own watchers', t => {
	const fanout = createAbortFanout();
	const first = new AbortController();
	const second = new AbortController();
	const calls: string[] = [];
	fanout.watch(first.signal, () => calls.push('first'));
	fanout.watch(second.signal, () => calls.push('second'));
	second.abort();
	t.deepEqual(calls, ['second']);
	first.abort();
	t.deepEqual(calls, ['second', 'first']);
});

test('a watcher added while the callbacks run is not lost into a cleared set', t => {
	const fanout = createAbortFanout();
	const controller = new AbortController();
	const calls: string[] = [];
	fanout.watch(controller.signal, () => {
		calls.push('first');
		// Registered after the abort: the signal is aborted, so by contract nothing calls it.
		fanout.watch(controller.signal, () => calls.push('late'));
	});
	controller.abort();
	t.deepEqual(calls, ['first']);
});
