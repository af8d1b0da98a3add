import type {EngineSnapshot, MonitorHandle} from '../engine/engine-types.js';
import {systemClock, type Clock} from '../engine/types.js';

/** A coalescing view of the monitor's snapshot, shaped for `useSyncExternalStore`. */
export type SnapshotStore = {
	/** Adds a listener; returns its removal. The monitor is only listened to while someone is. */
	subscribe(listener: () => void): () => void;
	/** The last published snapshot: the same object until the next publication. */
	getSnapshot(): EngineSnapshot;
	/** Publishes the monitor's current snapshot at once (after a key press, so the change shows now). */
	refreshNow(): void;
	/** Stops listening and cancels a pending publication. */
	dispose(): void;
};

/** Real time for the store: the system clock's timers, read on the monotonic `performance.now()`. */
export const realTimers: Clock = {...systemClock, now: () => performance.now()};

/**
Creates the store. The engine may announce thousands of changes a second; the store republishes at
most once per `intervalMs` of real time (leading edge after a quiet spell, then one trailing update),
so React renders at most ~10 times a second however many results arrive. Real time, not the engine's
clock: the budget protects the terminal and the CPU, which live in real time even under a fake clock.
`timers` is that real time unless a test passes a fake clock to count publications without sleeping
(only differences of its `now()` are used, so it need not be epoch time).
*/
export function createSnapshotStore(monitor: MonitorHandle, intervalMs = 100, timers: Clock = realTimers): SnapshotStore {
	const listeners = new Set<() => void>();
	let published = monitor.snapshot();
	let lastPublishedAt = -Infinity;
	let timer: unknown;
	let unsubscribeMonitor: (() => void) | undefined;

	const publish = () => {
		if (timer !== undefined) {
			timers.clearTimer(timer);
			timer = undefined;
		}

		const next = monitor.snapshot();
		if (next === published) {
			// Nothing new went out, so the next change may go out at once.
			return;
		}

		lastPublishedAt = timers.now();
		published = next;
		for (const listener of listeners) {
			listener();
		}
	};

	const onMonitorChange = () => {
		if (timer !== undefined) {
			return;
		}

		// Even on the leading edge wait for the current turn to end: an engine emits several changes in
		// one synchronous burst (a timer firing starts many checks), and they should make one frame.
		const wait = Math.max(0, lastPublishedAt + intervalMs - timers.now());
		timer = timers.setTimer(publish, wait);
	};

	return {
		subscribe(listener) {
			listeners.add(listener);
			if (!unsubscribeMonitor) {
				unsubscribeMonitor = monitor.onChange(onMonitorChange);
				// Changes between the first read and this subscription would otherwise go unseen.
				onMonitorChange();
			}

			return () => {
				listeners.delete(listener);
				if (listeners.size === 0) {
					unsubscribeMonitor?.();
					unsubscribeMonitor = undefined;
					if (timer !== undefined) {
						timers.clearTimer(timer);
						timer = undefined;
					}
				}
			};
		},
		getSnapshot: () => published,
		refreshNow: publish,
		dispose() {
			listeners.clear();
			unsubscribeMonitor?.();
			unsubscribeMonitor = undefined;
			if (timer !== undefined) {
				timers.clearTimer(timer);
				timer = undefined;
			}
		},
	};
}
