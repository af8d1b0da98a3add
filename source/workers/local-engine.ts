import {CheckEngine} from '../engine/check-engine.js';
import {createConcurrencyController} from '../engine/concurrency-controller.js';
import {defaultMaxPerHost, defaultSlotBatchMs} from '../engine/types.js';
import {createProber} from '../probe/index.js';
import type {CreateMonitorOptions} from './create-monitor.js';

/**
The engine on the calling thread with its own prober: what `--workers 0` runs, and what each shard
worker runs over its share of the sites.
*/
export function createLocalEngine(
	options: Omit<CreateMonitorOptions, 'workers' | 'warn'>,
	{publishesChanges}: {readonly publishesChanges?: boolean} = {},
): CheckEngine & {close(): Promise<void>} {
	const maxPerHost = options.maxPerHost ?? defaultMaxPerHost;
	// The prober's pool per origin is exactly as large as a lane's ceiling: a check that leaves its
	// lane always finds a connection, so no time is spent queued inside undici.
	const prober = createProber({...options.prober, connectionsPerOrigin: maxPerHost});
	const engine = new CheckEngine({
		probe: prober.probe,
		checksPerSite: options.checksPerSite,
		timeoutMs: options.timeoutMs,
		maxPerHost,
		maxInFlight: Math.min(options.maxConcurrency ?? Infinity, options.maxInFlight ?? Infinity),
		slotBatchMs: defaultSlotBatchMs,
		controller: createConcurrencyController({max: options.maxConcurrency}),
		measure: options.measure,
		pauseStore: options.pauseStore,
		publishesChanges,
	});
	return Object.assign(engine, {
		async close() {
			await prober.close();
		},
	});
}
