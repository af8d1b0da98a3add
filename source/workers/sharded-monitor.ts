import {EventEmitter} from 'node:events';
import {Worker} from 'node:worker_threads';
import type {EngineEvents, EngineSnapshot, EngineTotals, MonitorHandle} from '../engine/engine-types.js';
import {initialView, type SiteView} from '../engine/site-state.js';
import {defaultMaxPerHost, type SiteSpec} from '../engine/types.js';
import type {ProberOptions} from '../probe/index.js';
import {shardOf, splitByShard} from './shard.js';
import type {FromWorker, ToWorker, WorkerInit} from './worker-protocol.js';

export type ShardedMonitorOptions = {
	/** Number of shard workers (>= 1). */
	readonly workers: number;
	/** Checks per site; <= 0 = forever. */
	readonly checksPerSite: number;
	readonly timeoutMs: number;
	/** `--max-concurrency`, split evenly over the shards. */
	readonly maxConcurrency?: number | undefined;
	/** `--max-per-host`, split evenly over the shards (at least one connection each). */
	readonly maxPerHost?: number | undefined;
	readonly prober?: ProberOptions;
	readonly publishEveryMs?: number;
	/** Told when a shard fails or is restarted. */
	readonly warn?: (message: string) => void;
};

type Shard = {
	index: number;
	worker?: Worker;
	totals?: EngineTotals;
	ready: boolean;
	done: boolean;
	stopped: boolean;
	stopWaiters: Array<() => void>;
};

/**
The engine on several cores: N worker threads, each running the same `CheckEngine` over a disjoint
shard of the sites (by id). The main thread keeps no timers per site; it merges the shards' batched
updates into one snapshot for the front ends and re-emits every result for the database writer,
which stays here (PGlite is single-connection, and one writer makes batches large).
*/
export class ShardedMonitor extends EventEmitter<EngineEvents> implements MonitorHandle {
	readonly #options: ShardedMonitorOptions;
	readonly #shards: Shard[];
	readonly #specs = new Map<number, SiteSpec>();
	#viewList: SiteView[] = [];
	readonly #index = new Map<number, number>();
	#snapshot: EngineSnapshot | undefined;
	#anchor = 0;
	#started = false;
	#stopping = false;
	#doneEmitted = false;
	#startedAt = 0;

	constructor(options: ShardedMonitorOptions) {
		super();
		if (!Number.isInteger(options.workers) || options.workers < 1) {
			throw new RangeError(`workers must be a positive integer, got ${options.workers}`);
		}

		this.#options = options;
		this.#shards = Array.from({length: options.workers}, (_, index) => ({index, ready: false, done: false, stopped: false, stopWaiters: []}));
	}

	get workers(): number {
		return this.#shards.length;
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
		const added: SiteSpec[] = [];
		for (const spec of specs) {
			this.#specs.set(spec.id, spec);
			const index = this.#index.get(spec.id);
			if (index === undefined) {
				this.#index.set(spec.id, this.#viewList.length);
				this.#viewList.push(initialView(spec));
			} else {
				this.#viewList[index] = initialView(spec);
			}

			added.push(spec);
		}

		if (this.#started) {
			splitByShard(added, this.#shards.length, spec => spec.id).forEach((sites, index) => {
				if (sites.length > 0) {
					this.#post(index, {type: 'add', sites});
				}
			});
		}

		this.#changed();
	}

	removeSite(id: number): boolean {
		if (!this.#specs.delete(id)) {
			return false;
		}

		this.#post(shardOf(id, this.#shards.length), {type: 'remove', ids: [id]});
		this.#dropView(id);
		this.#changed();
		return true;
	}

	pause(ids: Iterable<number>): void {
		this.#route('pause', ids);
	}

	resume(ids: Iterable<number>): void {
		this.#route('resume', ids);
	}

	checkNow(id: number): boolean {
		const view = this.#viewOf(id);
		if (!view || view.running) {
			return false;
		}

		this.#post(shardOf(id, this.#shards.length), {type: 'checkNow', id});
		return true;
	}

	/** Spawns the shard workers and starts them on one shared grid origin. */
	start(): void {
		if (this.#started) {
			return;
		}

		this.#started = true;
		this.#startedAt = Date.now();
		const shards = splitByShard(this.#specs.values(), this.#shards.length, spec => spec.id);
		for (const shard of this.#shards) {
			this.#spawn(shard, shards[shard.index]!);
		}
	}

	/** Stops scheduling in every shard; resolves when their checks in flight finished and were reported. */
	async stop(): Promise<void> {
		this.#stopping = true;
		await Promise.all(this.#shards.map(async shard => {
			if (shard.stopped || !shard.worker) {
				return;
			}

			const stopped = new Promise<void>(resolve => {
				shard.stopWaiters.push(resolve);
			});
			this.#post(shard.index, {type: 'stop'});
			await stopped;
		}));
	}

	/** Aborts the checks in flight in every shard (a forced shutdown); each still reports a result. */
	abortInFlight(): void {
		for (const shard of this.#shards) {
			this.#post(shard.index, {type: 'abort'});
		}
	}

	snapshot(): EngineSnapshot {
		if (this.#snapshot) {
			return this.#snapshot;
		}

		const reports = this.#shards.map(shard => shard.totals).filter(totals => totals !== undefined);
		const sum = (pick: (totals: EngineTotals) => number) => reports.reduce((total, totals) => total + pick(totals), 0);
		const max = (pick: (totals: EngineTotals) => number) => reports.reduce((highest, totals) => Math.max(highest, pick(totals)), 0);
		const perMinute = sum(totals => totals.checksPerSecond1m);
		const weighted = (pick: (totals: EngineTotals) => number) => perMinute > 0
			? sum(totals => pick(totals) * totals.checksPerSecond1m) / perMinute
			: 0;
		let up = 0;
		let down = 0;
		let paused = 0;
		let pending = 0;
		for (const view of this.#viewList) {
			if (view.status === 'up') {
				up++;
			} else if (view.status === 'down') {
				down++;
			} else if (view.status === 'paused') {
				paused++;
			} else {
				pending++;
			}
		}

		const reasons = [...new Set(reports.map(totals => totals.limitReason))];
		this.#snapshot = {
			sites: this.#viewList.slice(),
			totals: {
				sites: this.#viewList.length,
				up,
				down,
				paused,
				pending,
				// Shards split sites by id, so one origin may have a lane in several shards.
				hosts: max(totals => totals.hosts),
				inFlight: sum(totals => totals.inFlight),
				waiting: sum(totals => totals.waiting),
				waitingOnHosts: sum(totals => totals.waitingOnHosts),
				suspectInFlight: sum(totals => totals.suspectInFlight),
				limit: sum(totals => totals.limit),
				limitReason: reasons.length === 0 ? 'starting' : reasons.join('; '),
				started: sum(totals => totals.started),
				completed: sum(totals => totals.completed),
				skipped: sum(totals => totals.skipped),
				skippedClientBusy: sum(totals => totals.skippedClientBusy),
				skippedHostBusy: sum(totals => totals.skippedHostBusy),
				checksPerSecond1s: sum(totals => totals.checksPerSecond1s),
				checksPerSecond1m: perMinute,
				timeoutRate1m: weighted(totals => totals.timeoutRate1m),
				errorRate1m: weighted(totals => totals.errorRate1m),
				// Percentiles do not add up; the worst shard is the honest figure.
				latenessP50Ms: max(totals => totals.latenessP50Ms),
				latenessP99Ms: max(totals => totals.latenessP99Ms),
				eventLoopDelayP99Ms: max(totals => totals.eventLoopDelayP99Ms),
				cpuUtilisation: max(totals => totals.cpuUtilisation),
				startedAt: this.#startedAt,
				now: Date.now(),
			},
		};
		return this.#snapshot;
	}

	#route(type: 'pause' | 'resume', ids: Iterable<number>): void {
		splitByShard(ids, this.#shards.length, id => id).forEach((shardIds, index) => {
			if (shardIds.length > 0) {
				this.#post(index, {type, ids: shardIds});
			}
		});
		if (!this.#started) {
			// Before start the shards do not exist yet: remember the choice in the specs they will get.
			for (const id of ids) {
				const spec = this.#specs.get(id);
				if (spec) {
					this.#specs.set(id, {...spec, paused: type === 'pause'});
				}
			}
		}
	}

	#post(index: number, message: ToWorker): void {
		this.#shards[index]!.worker?.postMessage(message);
	}

	#viewOf(id: number): SiteView | undefined {
		const index = this.#index.get(id);
		return index === undefined ? undefined : this.#viewList[index];
	}

	#dropView(id: number): void {
		const index = this.#index.get(id);
		if (index === undefined) {
			return;
		}

		// Swap-remove: O(1), like the engine's; front ends sort the list anyway.
		const last = this.#viewList.pop()!;
		this.#index.delete(id);
		if (last.id !== id) {
			this.#viewList[index] = last;
			this.#index.set(last.id, index);
		}
	}

	#changed(): void {
		this.#snapshot = undefined;
		this.emit('change');
	}

	#spawn(shard: Shard, sites: SiteSpec[]): void {
		const init: WorkerInit = {
			sites,
			checksPerSite: this.#options.checksPerSite,
			timeoutMs: this.#options.timeoutMs,
			maxConcurrency: this.#options.maxConcurrency === undefined
				? undefined
				: Math.max(1, Math.ceil(this.#options.maxConcurrency / this.#shards.length)),
			// Shards split sites by id, so every shard may reach every host: each gets its share.
			maxPerHost: Math.max(1, Math.floor((this.#options.maxPerHost ?? defaultMaxPerHost) / this.#shards.length)),
			prober: this.#options.prober,
			publishEveryMs: this.#options.publishEveryMs,
		};
		shard.ready = false;
		const [script, scriptOptions] = workerScript();
		const worker = new Worker(script, {...scriptOptions, workerData: init});
		shard.worker = worker;
		worker.on('message', (message: FromWorker) => {
			this.#onMessage(shard, message);
		});
		worker.on('error', error => {
			this.#options.warn?.(`shard ${shard.index} failed: ${error.stack ?? error.message}`);
		});
		worker.on('exit', code => {
			if (shard.stopped) {
				return;
			}

			// A shard that dies takes its checks in flight with it; its sites must not stop being monitored.
			shard.stopped = true;
			if (this.#stopping) {
				this.#settleStop(shard);
				return;
			}

			this.#options.warn?.(`shard ${shard.index} exited (code ${code}); restarting it with its ${sites.length} sites`);
			shard.stopped = false;
			const current = [...this.#specs.values()].filter(spec => shardOf(spec.id, this.#shards.length) === shard.index)
				.map(spec => ({...spec, paused: this.#viewOf(spec.id)?.status === 'paused'}));
			this.#spawn(shard, current);
		});
	}

	#onMessage(shard: Shard, message: FromWorker): void {
		switch (message.type) {
			case 'ready': {
				shard.ready = true;
				if (this.#anchor !== 0) {
					// A restarted shard joins the grid the others are on.
					this.#post(shard.index, {type: 'start', anchor: this.#anchor});
				} else if (this.#shards.every(each => each.ready)) {
					// Module loading takes a while; a grid anchored before it would start with every early slot late.
					this.#anchor = Date.now();
					for (const each of this.#shards) {
						this.#post(each.index, {type: 'start', anchor: this.#anchor});
					}
				}

				break;
			}

			case 'update': {
				shard.totals = message.totals;
				for (const view of message.views) {
					const index = this.#index.get(view.id);
					if (index !== undefined) {
						this.#viewList[index] = view;
					}
				}

				for (const result of message.results) {
					this.emit('result', result);
				}

				this.#changed();
				break;
			}

			case 'done': {
				shard.done = true;
				if (!this.#doneEmitted && this.#shards.every(each => each.done)) {
					this.#doneEmitted = true;
					this.emit('done');
				}

				break;
			}

			case 'stopped': {
				shard.stopped = true;
				this.#settleStop(shard);
				break;
			}
		}
	}

	#settleStop(shard: Shard): void {
		const waiters = shard.stopWaiters;
		shard.stopWaiters = [];
		for (const resolve of waiters) {
			resolve();
		}
	}
}

/**
The shard worker's entry: the compiled `.js` beside this file, or, when this file runs as TypeScript
(tests under tsx), the `.ts` source loaded through tsx.
*/
function workerScript(): [URL, {execArgv?: string[]}] {
	if (import.meta.url.endsWith('.ts')) {
		return [new URL('shard-worker.ts', import.meta.url), {execArgv: ['--import', 'tsx']}];
	}

	return [new URL('shard-worker.js', import.meta.url), {}];
}
