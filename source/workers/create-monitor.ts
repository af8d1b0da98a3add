import type {EventEmitter} from 'node:events';
import {CheckEngine} from '../engine/check-engine.js';
import type {EngineEvents, MonitorHandle, ProcessSignals} from '../engine/engine-types.js';
import {createConcurrencyController} from '../engine/concurrency-controller.js';
import {defaultMaxPerHost, type SiteSpec} from '../engine/types.js';
import {createProber, type ProberOptions} from '../probe/index.js';
import {ShardedMonitor} from './sharded-monitor.js';

/** What the CLI drives, whether the engine runs in this thread or in shard workers. */
export type RunningMonitor = MonitorHandle & EventEmitter<EngineEvents> & {
	addSites(specs: Iterable<SiteSpec>): void;
	start(): void;
	stop(): Promise<void>;
	abortInFlight(): void;
	/** Holds scheduling without pausing sites (see `CheckEngine.hold`). */
	hold(held: boolean): void;
	readonly inFlight: number;
	/** Releases what the monitor owns (the in-process prober). */
	close(): Promise<void>;
};

export type CreateMonitorOptions = {
	/** 0 = run the engine on this thread; N >= 1 = N shard workers. */
	readonly workers: number;
	readonly checksPerSite: number;
	readonly timeoutMs: number;
	readonly maxConcurrency?: number | undefined;
	/** Connections to one origin at once, in this engine (shards get their share). Default `defaultMaxPerHost`. */
	readonly maxPerHost?: number | undefined;
	readonly prober?: ProberOptions;
	/** Only for the in-process engine: the worker shards measure themselves. */
	readonly measure?: () => ProcessSignals;
	/** Where shard warnings go. */
	readonly warn?: (message: string) => void;
};

export function createMonitor(options: CreateMonitorOptions): RunningMonitor {
	if (options.workers >= 1) {
		const sharded = new ShardedMonitor(options);
		return Object.assign(sharded, {
			async close() {
				// Shard workers close their own probers when they stop.
			},
		});
	}

	return createLocalEngine(options);
}

/**
The engine on the calling thread with its own prober: what `--workers 0` runs, and what each shard
worker runs over its share of the sites.
*/
export function createLocalEngine(options: Omit<CreateMonitorOptions, 'workers' | 'warn'>): CheckEngine & {close(): Promise<void>} {
	const maxPerHost = options.maxPerHost ?? defaultMaxPerHost;
	// The prober's pool per origin is exactly as large as a lane's ceiling: a check that leaves its
	// lane always finds a connection, so no time is spent queued inside undici.
	const prober = createProber({...options.prober, connectionsPerOrigin: maxPerHost});
	const engine = new CheckEngine({
		probe: prober.probe,
		checksPerSite: options.checksPerSite,
		timeoutMs: options.timeoutMs,
		maxPerHost,
		controller: createConcurrencyController({max: options.maxConcurrency}),
		measure: options.measure,
	});
	return Object.assign(engine, {
		async close() {
			await prober.close();
		},
	});
}
