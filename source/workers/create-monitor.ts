import type {EventEmitter} from 'node:events';
import type {EngineEvents, MonitorHandle, ProcessSignals} from '../engine/engine-types.js';
import type {PauseStore} from '../engine/pause-store.js';
import type {SiteSpec} from '../engine/types.js';
import type {ProberOptions} from '../probe/index.js';
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
	/**
	Checks in flight at most, those waiting on silent servers included, over every shard: what the
	process's open files allow (see `checksInFlightBudget`). Default: no bound but `maxConcurrency`.
	*/
	readonly maxInFlight?: number | undefined;
	/** Connections to one origin at once, in this engine (shards get their share). Default `defaultMaxPerHost`. */
	readonly maxPerHost?: number | undefined;
	readonly prober?: ProberOptions;
	/** Only for the in-process engine: the worker shards measure themselves. */
	readonly measure?: () => ProcessSignals;
	/** Where shard warnings go. */
	readonly warn?: (message: string) => void;
	/** Keeps the pauses the monitor's `pause` and `resume` make beyond the run (storage). */
	readonly pauseStore?: PauseStore | undefined;
	/**
	Whether the front end shows each site (the TUI; default true). The headless printer shows totals
	only: shard workers then send no site views, and this thread keeps none (see `ShardedMonitor`).
	*/
	readonly siteViews?: boolean | undefined;
};

/**
The monitor `options.workers` asks for. With shard workers, this thread loads no HTTP client at all
(undici and its parser are ~30 MB of a thread's memory); the engine on this thread loads it here.
*/
export async function createMonitor(options: CreateMonitorOptions): Promise<RunningMonitor> {
	if (options.workers >= 1) {
		const sharded = new ShardedMonitor(options);
		return Object.assign(sharded, {
			async close() {
				// Shard workers close their own probers when they stop.
			},
		});
	}

	const {createLocalEngine} = await import('./local-engine.js');
	return createLocalEngine(options);
}
