import {useEffect, useMemo, useSyncExternalStore} from 'react';
import type {EngineSnapshot, MonitorHandle} from '../engine/engine-types.js';
import type {Clock} from '../engine/types.js';
import {createSnapshotStore, realTimers, type SnapshotStore} from './snapshot-store.js';

/**
The monitor's snapshot, republished at most once per `intervalMs`, read through
`useSyncExternalStore` so React never tears between the header and the table. Also returns the
store, whose `refreshNow` makes a key press show its effect without waiting for the next tick.
*/
export function useMonitorSnapshot(monitor: MonitorHandle, intervalMs = 100, timers: Clock = realTimers): {snapshot: EngineSnapshot; store: SnapshotStore} {
	const store = useMemo(() => createSnapshotStore(monitor, intervalMs, timers), [monitor, intervalMs, timers]);
	useEffect(() => () => {
		store.dispose();
	}, [store]);
	const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
	return {snapshot, store};
}
