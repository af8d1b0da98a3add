import type {EventEmitter} from 'node:events';
import {CheckEngine, type EngineEvents, type MonitorHandle, type ProcessSignals} from '../engine/check-engine.js';
import {createConcurrencyController} from '../engine/concurrency-controller.js';
import type {SiteSpec} from '../engine/types.js';
import {createProber, type ProberOptions} from '../probe/index.js';
import {ShardedMonitor} from './sharded-monitor.js';

/** What the CLI drives, whether the engine runs in this thread or in shard workers. */
export type RunningMonitor = MonitorHandle & EventEmitter<EngineEvents> & {
	addSites(specs: Iterable<SiteSpec>): void;
	start(): void;
	stop(): Promise<void>;
	abortInFlight(): void;
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
	const prober = createProber(options.prober);
	const engine = new CheckEngine({
		probe: prober.probe,
		checksPerSite: options.checksPerSite,
		timeoutMs: options.timeoutMs,
		controller: createConcurrencyController({max: options.maxConcurrency}),
		measure: options.measure,
	});
	return Object.assign(engine, {
		async close() {
			await prober.close();
		},
	});
}
