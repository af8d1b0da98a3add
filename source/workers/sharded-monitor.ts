import {EventEmitter} from 'node:events';
import type {EngineEvents, EngineSnapshot, MonitorHandle} from '../engine/engine-types.js';
import {keepPauses, type PauseOutcome, type PauseStore} from '../engine/pause-store.js';
import {applyResult, withPaused, type SiteView} from '../engine/site-state.js';
import {defaultMaxPerHost, type CheckResult, type SiteSpec} from '../engine/types.js';
import type {ProberOptions} from '../probe/index.js';
import {mergeTotals} from './merge-totals.js';
import {MergedViews} from './merged-views.js';
import {ShardSupervisor} from './shard-supervisor.js';
import {OriginShards} from './shard.js';
import type {ToWorker} from './worker-protocol.js';

export type ShardedMonitorOptions = {
	/** Number of shard workers (>= 1). */
	readonly workers: number;
	/** Checks per site; <= 0 = forever. */
	readonly checksPerSite: number;
	readonly timeoutMs: number;
	/** `--max-concurrency`, split evenly over the shards. */
	readonly maxConcurrency?: number | undefined;
	/** Checks in flight at most over every shard (see `CreateMonitorOptions`), split evenly. */
	readonly maxInFlight?: number | undefined;
	/** `--max-per-host`: each origin's sites are all in one shard, which gets all of it. */
	readonly maxPerHost?: number | undefined;
	readonly prober?: ProberOptions;
	readonly publishEveryMs?: number;
	/** Told when a shard fails or is restarted. */
	readonly warn?: (message: string) => void;
	/** First restart delay after a crash, ms (then doubling); default 250. */
	readonly restartDelayMs?: number;
	/** Keeps pauses beyond the run (storage); the shards' engines have none. */
	readonly pauseStore?: PauseStore | undefined;
	/**
	Whether the snapshot lists every site (default true). Without (the headless printer, which shows
	totals), the shards send no views: each result no longer crosses threads with its site's new view,
	cloned on both sides, and this thread keeps no merged copy of every view (100,000 sites on 2
	workers: peak RSS 599 -> 492 MiB).
	*/
	readonly siteViews?: boolean | undefined;
};

/**
How long a stopping shard may stay silent after its checks' deadline (or after an abort) before it
counts as wedged and is terminated. A healthy worker reports its last results within one publish
period (100 ms) of its last check ending, closes its prober (nothing is in flight any more, so that
is immediate) and says `stopped`; the concurrency controller cuts its limit whenever its event-loop
delay p99 passes 100 ms. Two seconds is twenty publish periods, or twenty such stalls in a row: a
worker silent that long is not coming back, and waiting longer loses nothing, because terminating it
turns each of its checks in flight into a `worker_crash` row.
*/
export const stopMarginMs = 2000;

/**
The engine on several cores: N worker threads, each running the same `CheckEngine` over a disjoint
shard of the sites (by origin, see `OriginShards`). The main thread keeps no timers per site; it
merges the shards' batched updates into one snapshot for the front ends and re-emits every result
for the database writer, which stays here (PGlite is single-connection, and one writer makes
batches large).
*/
export class ShardedMonitor extends EventEmitter<EngineEvents> implements MonitorHandle {
	readonly #options: ShardedMonitorOptions;
	readonly #shards: ShardSupervisor[];
	readonly #specs = new Map<number, SiteSpec>();
	/** Which shard has each site: the one record of it. */
	readonly #placement: OriginShards;
	/**
	The fleet's paused sites: the one record of them. A shard's engine applies the pauses it is sent,
	but a shard can die with them; its replacement starts from this set, and the merged views are
	read through it, so the snapshot never shows a shard's stale word on a pause.
	*/
	readonly #paused = new Set<number>();
	/** Every site's view, when the snapshot lists them (`siteViews`). */
	readonly #views: MergedViews | undefined;
	/** Rows emitted per site (only with `checksPerSite`): what a restarted shard resumes from. */
	readonly #rows = new Map<number, number>();
	#snapshot: EngineSnapshot | undefined;
	#ready = 0;
	#started = false;
	#doneEmitted = false;
	#aborted = false;
	#startedAt = 0;

	constructor(options: ShardedMonitorOptions) {
		super();
		if (!Number.isInteger(options.workers) || options.workers < 1) {
			throw new RangeError(`workers must be a positive integer, got ${options.workers}`);
		}

		this.#options = options;
		this.#views = options.siteViews === false ? undefined : new MergedViews();
		const {workers} = options;
		this.#placement = new OriginShards(workers);
		const init = {
			checksPerSite: options.checksPerSite,
			timeoutMs: options.timeoutMs,
			maxConcurrency: shareOf(options.maxConcurrency, workers),
			maxInFlight: shareOf(options.maxInFlight, workers),
			// Each origin is in one shard only, so that shard's pool for it may be the whole allowance.
			maxPerHost: options.maxPerHost ?? defaultMaxPerHost,
			prober: options.prober,
			publishEveryMs: options.publishEveryMs,
			publishViews: this.#views !== undefined,
		};
		this.#shards = Array.from({length: workers}, (_, index) => new ShardSupervisor({
			index,
			init,
			restartDelayMs: options.restartDelayMs,
			sites: () => [...this.#specs.values()].filter(spec => this.#placement.of(spec.id) === index)
				.map(spec => {
					const paused = this.#paused.has(spec.id);
					// A copy only when the pause changed: at start that is none of a million sites.
					return paused === Boolean(spec.paused) ? spec : {...spec, paused};
				}),
			slotsUsed: () => options.checksPerSite > 0
				? [...this.#rows].filter(([id]) => this.#placement.of(id) === index)
				: undefined,
			onReady: () => {
				this.#onReady();
			},
			onUpdate: (results, views) => {
				this.#onUpdate(results, views);
			},
			onDone: () => {
				this.#onDone();
			},
			warn(message) {
				options.warn?.(message);
			},
		}));
	}

	get workers(): number {
		return this.#shards.length;
	}

	/** The shard that checks site `id` (undefined for an unknown site). */
	shardOf(id: number): number | undefined {
		return this.#placement.of(id);
	}

	/** Checks in flight over all shards, as of their last report. */
	get inFlight(): number {
		return this.#shards.reduce((sum, shard) => sum + (shard.totals?.inFlight ?? 0), 0);
	}

	onChange(listener: () => void): () => void {
		this.on('change', listener);
		return () => this.off('change', listener);
	}

	addSites(specs: Iterable<SiteSpec>): void {
		const added: SiteSpec[][] = this.#shards.map(() => []);
		const moved: number[][] = this.#shards.map(() => []);
		for (const spec of specs) {
			const {shard, moved: left} = this.#placement.assign(spec, this.#specs.get(spec.id));
			this.#specs.set(spec.id, spec);
			added[shard]!.push(spec);
			if (left !== undefined) {
				// The same id with another origin's URL: out of the shard that had it.
				moved[left]!.push(spec.id);
			}

			if (spec.paused) {
				this.#paused.add(spec.id);
			} else {
				this.#paused.delete(spec.id);
			}

			this.#views?.add(spec);
		}

		if (this.#started) {
			for (const [index, ids] of moved.entries()) {
				if (ids.length > 0) {
					this.#post(index, {type: 'remove', ids});
				}
			}

			for (const [index, sites] of added.entries()) {
				if (sites.length > 0) {
					this.#post(index, {type: 'add', sites});
				}
			}
		}

		this.#changed();
	}

	removeSite(id: number): boolean {
		const spec = this.#specs.get(id);
		if (!spec) {
			return false;
		}

		this.#specs.delete(id);
		this.#paused.delete(id);
		this.#post(this.#placement.of(id)!, {type: 'remove', ids: [id]});
		this.#placement.release(spec);
		this.#views?.remove(id);
		this.#changed();
		return true;
	}

	async pause(ids: Iterable<number>): Promise<PauseOutcome> {
		return this.#setPaused(ids, true);
	}

	async resume(ids: Iterable<number>): Promise<PauseOutcome> {
		return this.#setPaused(ids, false);
	}

	/** Holds scheduling in every shard, or lets it go on (see `CheckEngine.hold`). */
	hold(held: boolean): void {
		for (const shard of this.#shards) {
			shard.hold(held);
		}
	}

	checkNow(id: number): boolean {
		// Without views the shard's engine alone knows whether the site is running, and says no there.
		if (!this.#specs.has(id) || this.#views?.get(id)?.running) {
			return false;
		}

		this.#post(this.#placement.of(id)!, {type: 'checkNow', id});
		return true;
	}

	/** Spawns the shard workers; they start on one shared grid origin once all have loaded. */
	start(): void {
		if (this.#started) {
			return;
		}

		this.#started = true;
		this.#startedAt = Date.now();
		for (const shard of this.#shards) {
			shard.spawn();
		}
	}

	/**
	Stops scheduling in every shard; resolves when their checks in flight finished and were reported.
	Bounded: no check outlives its deadline (`timeoutMs`), and an aborted one ends at once, so a shard
	that has not stopped `stopMarginMs` after that is terminated and its checks become crash rows.
	*/
	async stop(): Promise<void> {
		const withinMs = (this.#aborted ? 0 : this.#options.timeoutMs) + stopMarginMs;
		await Promise.all(this.#shards.map(async shard => shard.stop(withinMs)));
	}

	/**
	Aborts the checks in flight in every shard (a forced shutdown); each still reports a result. A
	`stop()` called after this waits only `stopMarginMs`, for itself and for any stop under way.
	*/
	abortInFlight(): void {
		this.#aborted = true;
		for (let index = 0; index < this.#shards.length; index++) {
			this.#post(index, {type: 'abort'});
		}
	}

	/** Ends shard `index`'s thread abruptly, as a crash would; it is restarted like after any crash. */
	async killShard(index: number): Promise<void> {
		await this.#shards[index]?.kill();
	}

	snapshot(): EngineSnapshot {
		this.#snapshot ??= {
			sites: this.#views ? [...this.#views.list] : [],
			totals: mergeTotals(
				this.#shards.map(shard => shard.totals).filter(totals => totals !== undefined),
				this.#shards.map(shard => shard.past),
				this.#views?.list ?? {sites: this.#specs.size, paused: this.#paused.size},
				{startedAt: this.#startedAt, now: Date.now()},
			),
		};
		return this.#snapshot;
	}

	#onReady(): void {
		this.#ready++;
		if (this.#ready === this.#shards.length) {
			// Module loading takes a while; a grid anchored before it would start with every early slot late.
			const anchor = Date.now();
			for (const shard of this.#shards) {
				shard.begin(anchor);
			}
		}
	}

	#onUpdate(results: readonly CheckResult[], views: readonly SiteView[]): void {
		for (const view of views) {
			// A view the shard published before it got the latest pause or resume reads as the set says.
			this.#views?.update(view.id, () => withPaused(view, this.#paused.has(view.id)));
		}

		const counting = this.#options.checksPerSite > 0;
		for (const result of results) {
			if (counting) {
				this.#rows.set(result.siteId, (this.#rows.get(result.siteId) ?? 0) + 1);
			}

			if (result.errorKind === 'worker_crash') {
				// The dead worker never sent this site's view again: the row clears its running mark here.
				this.#views?.update(result.siteId, view => applyResult(view, result));
			}

			this.emit('result', result);
		}

		this.#changed();
	}

	#onDone(): void {
		if (!this.#doneEmitted && this.#shards.every(shard => shard.done)) {
			this.#doneEmitted = true;
			this.emit('done');
		}
	}

	/** Records the change, shows it, tells the shards that own the sites, and hands it to the pause store. */
	async #setPaused(ids: Iterable<number>, paused: boolean): Promise<PauseOutcome> {
		const changed: SiteSpec[] = [];
		for (const id of ids) {
			const spec = this.#specs.get(id);
			if (!spec || this.#paused.has(id) === paused) {
				continue;
			}

			if (paused) {
				this.#paused.add(id);
			} else {
				this.#paused.delete(id);
			}

			this.#views?.update(id, view => withPaused(view, paused));
			changed.push(spec);
		}

		// A shard that is down (crashed, not restarted yet) misses this; its replacement starts from the set.
		for (const [index, shardIds] of this.#placement.split(changed.map(spec => spec.id)).entries()) {
			if (shardIds.length > 0) {
				this.#post(index, {type: paused ? 'pause' : 'resume', ids: shardIds});
			}
		}

		this.#changed();
		return keepPauses(this.#options.pauseStore, changed, paused);
	}

	#post(index: number, message: ToWorker): void {
		this.#shards[index]!.post(message);
	}

	#changed(): void {
		this.#snapshot = undefined;
		this.emit('change');
	}
}

/** One shard's share of a bound over the whole process (at least 1); undefined when unbounded. */
function shareOf(bound: number | undefined, workers: number): number | undefined {
	return bound === undefined ? undefined : Math.max(1, Math.ceil(bound / workers));
}
