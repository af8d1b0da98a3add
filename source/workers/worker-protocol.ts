import type {EngineTotals, StartedCheck} from '../engine/engine-types.js';
import type {SiteView} from '../engine/site-state.js';
import type {CheckResult, SiteSpec} from '../engine/types.js';
import type {ProberOptions} from '../probe/index.js';

/** What a shard worker needs to run its engine. Plain data: it crosses a thread boundary. */
export type WorkerInit = {
	readonly sites: SiteSpec[];
	readonly checksPerSite: number;
	readonly timeoutMs: number;
	/** This worker's share of `--max-concurrency`, if any. */
	readonly maxConcurrency?: number | undefined;
	/** This worker's share of the checks the process may have in flight, if bounded. */
	readonly maxInFlight?: number | undefined;
	/** This worker's share of `--max-per-host`. */
	readonly maxPerHost: number;
	readonly prober?: ProberOptions;
	/** How often results and snapshot deltas are posted, ms. */
	readonly publishEveryMs?: number;
	/** Whether updates carry the changed site views (default true; the headless printer needs none). */
	readonly publishViews?: boolean;
};

/** Commands from the main thread. Site lists travel in one message, never one message per site. */
export type ToWorker =
	/**
	Grid origin shared by every shard, set once all shards are loaded so no first slot is already past.
	A shard restarted after a crash gets `resumeAt` (its sites start at their next slot after it, never
	in the past) and, per site, the slots already used (`[siteId, slots]`), so `--number-healthchecks`
	holds over both lives.
	*/
	| {readonly type: 'start'; readonly anchor: number; readonly resumeAt?: number; readonly slotsUsed?: Array<[number, number]>}
	| {readonly type: 'add'; readonly sites: SiteSpec[]}
	| {readonly type: 'remove'; readonly ids: number[]}
	| {readonly type: 'pause'; readonly ids: number[]}
	| {readonly type: 'resume'; readonly ids: number[]}
	| {readonly type: 'checkNow'; readonly id: number}
	/** Holds scheduling or lets it go on (see `CheckEngine.hold`). */
	| {readonly type: 'hold'; readonly held: boolean}
	| {readonly type: 'stop'}
	| {readonly type: 'abort'};

/** Reports to the main thread, batched: results and changed site views every `publishEveryMs`. */
export type FromWorker =
	| {
		readonly type: 'update';
		/** Checks handed to the prober since the last update (a check may start and finish in one update). */
		readonly started: StartedCheck[];
		readonly results: CheckResult[];
		readonly views: SiteView[];
		readonly removed: number[];
		readonly totals: EngineTotals;
	}
	| {readonly type: 'ready'}
	| {readonly type: 'done'}
	| {readonly type: 'stopped'};
