import {EventEmitter} from 'node:events';
import test from 'ava';
import type {EngineSnapshot, MonitorHandle} from '../../source/engine/engine-types.js';
import {createSnapshotStore} from '../../source/ui/snapshot-store.js';
import {delay} from './harness.js';

/** A monitor whose snapshot changes on `bump`, as an engine's does on each result. */
function fakeMonitor() {
	const events = new EventEmitter();
	let version = 0;
	let snapshot = {version} as unknown as EngineSnapshot;
	const monitor: MonitorHandle = {
		snapshot: () => snapshot,
		onChange(listener) {
			events.on('change', listener);
			return () => events.off('change', listener);
		},
		pause: async () => 'run-only',
		resume: async () => 'run-only',
		checkNow: () => false,
	};
	return {
		monitor,
		bump() {
			version++;
			snapshot = {version} as unknown as EngineSnapshot;
			events.emit('change');
		},
		listeners: () => events.listenerCount('change'),
	};
}

const versionOf = (snapshot: EngineSnapshot) => (snapshot as unknown as {version: number}).version;

test('a burst of changes is one publication, and the snapshot object is stable in between', async t => {
	const {monitor, bump} = fakeMonitor();
	const store = createSnapshotStore(monitor, 100);
	let notified = 0;
	store.subscribe(() => notified++);
	const first = store.getSnapshot();
	for (let index = 0; index < 1000; index++) {
		bump();
	}

	t.is(store.getSnapshot(), first, 'nothing published inside the burst');
	await delay(20);
	t.is(notified, 1);
	t.is(versionOf(store.getSnapshot()), 1000);
	t.is(store.getSnapshot(), store.getSnapshot());
	store.dispose();
});

test('a steady stream of changes publishes at most once per interval', async t => {
	const {monitor, bump} = fakeMonitor();
	const store = createSnapshotStore(monitor, 100);
	let notified = 0;
	store.subscribe(() => notified++);
	const started = performance.now();
	let changes = 0;
	while (performance.now() - started < 600) {
		bump();
		changes++;
		// eslint-disable-next-line no-await-in-loop -- a change every few ms, as results arrive
		await delay(2);
	}

	await delay(150);
	t.true(changes > 100, `${changes} changes`);
	t.true(notified >= 4 && notified <= 8, `${notified} publications for ${changes} changes in 600 ms`);
	t.is(versionOf(store.getSnapshot()), changes, 'the last change is always published');
	store.dispose();
});

test('refreshNow publishes at once; the monitor is listened to only while someone subscribes', async t => {
	const {monitor, bump, listeners} = fakeMonitor();
	const store = createSnapshotStore(monitor, 10_000);
	t.is(listeners(), 0);
	let notified = 0;
	const unsubscribe = store.subscribe(() => notified++);
	t.is(listeners(), 1);
	await delay(5);
	bump();
	await delay(5);
	bump();
	t.is(versionOf(store.getSnapshot()), 1, 'the first change went out; the second waits for the interval');
	store.refreshNow();
	t.is(versionOf(store.getSnapshot()), 2);
	t.is(notified, 2);
	unsubscribe();
	t.is(listeners(), 0);
	bump();
	await delay(5);
	t.is(notified, 2);
});
