import {EventEmitter} from 'node:events';
import test from 'ava';
import type {EngineSnapshot, MonitorHandle} from '../../source/engine/engine-types.js';
import {createSnapshotStore} from '../../source/ui/snapshot-store.js';
import {FakeClock} from '../helpers/fake-clock.js';

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
	const clock = new FakeClock();
	const {monitor, bump} = fakeMonitor();
	const store = createSnapshotStore(monitor, 100, clock);
	let notified = 0;
	store.subscribe(() => notified++);
	const first = store.getSnapshot();
	for (let index = 0; index < 1000; index++) {
		bump();
	}

	t.is(store.getSnapshot(), first, 'nothing published inside the burst');
	t.is(clock.pendingTimers, 1, 'one timer for the whole burst');
	await clock.advance(0);
	t.is(notified, 1);
	t.is(versionOf(store.getSnapshot()), 1000);
	t.is(store.getSnapshot(), store.getSnapshot());
	store.dispose();
	t.is(clock.pendingTimers, 0);
});

test('a steady stream of changes publishes at most once per interval, and the last change always', async t => {
	const clock = new FakeClock();
	const {monitor, bump} = fakeMonitor();
	const store = createSnapshotStore(monitor, 100, clock);
	const publishedAt: number[] = [];
	const started = clock.now();
	store.subscribe(() => publishedAt.push(clock.now() - started));
	// A change every 2 ms for 550 ms, as results arrive.
	for (let elapsed = 0; elapsed < 550; elapsed += 2) {
		bump();
		await clock.advance(2);
	}

	t.is(versionOf(store.getSnapshot()), 250, 'the changes since the last publication (at 500 ms) wait for the next one');
	await clock.advance(100);
	// The first change goes out on the leading edge; the rest at most one interval apart.
	t.deepEqual(publishedAt, [0, 100, 200, 300, 400, 500, 600]);
	t.is(versionOf(store.getSnapshot()), 275, 'the last change is published');
	t.is(clock.pendingTimers, 0, 'quiet again: no timer armed');
	store.dispose();
});

test('refreshNow publishes at once; the monitor is listened to only while someone subscribes', async t => {
	const clock = new FakeClock();
	const {monitor, bump, listeners} = fakeMonitor();
	const store = createSnapshotStore(monitor, 10_000, clock);
	t.is(listeners(), 0);
	let notified = 0;
	const unsubscribe = store.subscribe(() => notified++);
	t.is(listeners(), 1);
	await clock.advance(0);
	bump();
	await clock.advance(0);
	bump();
	t.is(versionOf(store.getSnapshot()), 1, 'the first change went out; the second waits for the interval');
	t.is(clock.pendingTimers, 1);
	store.refreshNow();
	t.is(versionOf(store.getSnapshot()), 2);
	t.is(notified, 2);
	t.is(clock.pendingTimers, 0, 'the pending publication was the one refreshNow made');
	unsubscribe();
	t.is(listeners(), 0);
	bump();
	t.is(clock.pendingTimers, 0, 'nothing armed for a store nobody reads');
	await clock.advance(20_000);
	t.is(notified, 2);
});
