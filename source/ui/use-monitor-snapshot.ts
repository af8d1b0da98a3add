import {useEffect, useMemo, useSyncExternalStore} from 'react';
import type {EngineSnapshot, MonitorHandle} from '../engine/engine-types.js';
import {createSnapshotStore, type SnapshotStore} from './snapshot-store.js';

/**
The monitor's snapshot, republished at most once per `intervalMs`, read through
`useSyncExternalStore` so React never tears between the header and the table. Also returns the
store, whose `refreshNow` makes a key press show its effect without waiting for the next tick.
*/
export function useMonitorSnapshot(monitor: MonitorHandle, intervalMs = 100): {snapshot: EngineSnapshot; store: SnapshotStore} {
	const store = useMemo(() => createSnapshotStore(monitor, intervalMs), [monitor, intervalMs]);
	useEffect(() => () => {
		store.dispose();
	}, [store]);
	const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
	return {snapshot, store};
}
