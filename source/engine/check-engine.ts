import {EventEmitter} from 'node:events';
import {createConcurrencyController, type ConcurrencyController} from './concurrency-controller.js';
import {PerSecondCounter, RecentSample} from './rolling-stats.js';
import {applyResult, initialView, isSuccess, isTimeout, type SiteView} from './site-state.js';
import {firstSlot, nextSlotAfter} from './spread.js';
import {TimerHeap} from './timer-heap.js';
import {
	failureStatus, regexMatchStatus, systemClock, type CheckResult, type Clock, type Probe, type ProbeOutcome, type SiteSpec,
} from './types.js';

/** Process measurements the engine cannot take itself (it has no `process`); the CLI injects them. */
export type ProcessSignals = {
	readonly eventLoopDelayP99Ms: number;
	readonly cpuUtilisation: number;
};

export type EngineOptions = {
	readonly probe: Probe;
	readonly clock?: Clock;
	/** Checks per site before the engine reports `done`; undefined or <= 0 = forever. */
	readonly checksPerSite?: number;
	/** Total deadline per check, ms (passed to the probe). */
	readonly timeoutMs?: number;
	readonly controller?: ConcurrencyController;
	/** Sampled once per tick for the controller. */
	readonly measure?: () => ProcessSignals;
	/** Controller period, ms. */
	readonly tickMs?: number;
	/**
	Share of the limit that sites with repeated timeouts may hold. Dead sites keep a slot for the
	whole timeout; without a bound, a fleet with many of them starves the live ones.
	*/
	readonly suspectShare?: number;
	/** Consecutive timeouts after which a site runs in the bounded suspect lane. */
	readonly suspectAfterTimeouts?: number;
};

/** Fleet-wide numbers, recomputed for each snapshot. */
export type EngineTotals = {
	readonly sites: number;
	readonly up: number;
	readonly down: number;
	readonly paused: number;
	readonly pending: number;
	readonly inFlight: number;
	readonly waiting: number;
	readonly suspectInFlight: number;
	readonly limit: number;
	readonly limitReason: string;
	readonly started: number;
	readonly completed: number;
	readonly skipped: number;
	readonly checksPerSecond1s: number;
	readonly checksPerSecond1m: number;
	/** Fraction of checks finished in the last minute that timed out. */
	readonly timeoutRate1m: number;
	/** Fraction of checks finished in the last minute that failed for any reason. */
	readonly errorRate1m: number;
	readonly latenessP50Ms: number;
	readonly latenessP99Ms: number;
	readonly eventLoopDelayP99Ms: number;
	readonly cpuUtilisation: number;
	readonly startedAt: number;
	readonly now: number;
};

/**
What a front end needs from a running monitor: read the snapshot, hear about changes, send commands.
The in-process `CheckEngine` implements it; so does the aggregate over worker shards.
*/
export type MonitorHandle = {
	/** The current immutable snapshot. Same object until something changes. */
	snapshot(): EngineSnapshot;
	/** Calls `listener` after changes (possibly very often; consumers coalesce). Returns the unsubscribe. */
	onChange(listener: () => void): () => void;
	pause(ids: Iterable<number>): void;
	resume(ids: Iterable<number>): void;
	/** Checks a site now, outside its grid; false when it is already running or unknown. */
	checkNow(id: number): boolean;
};

/** Immutable picture of the engine; a new object whenever something changed. */
export type EngineSnapshot = {
	readonly totals: EngineTotals;
	/** One view per known site (in the order added, until a removal swaps the last site into the gap). */
	readonly sites: readonly SiteView[];
};

export type EngineEvents = {
	/** A check finished (or a slot was skipped). Every scheduled slot that ran or was skipped emits exactly one. */
	result: [CheckResult];
	/** Every site has had `checksPerSite` slots and nothing is in flight. */
	done: [];
	/** Something in the snapshot changed; consumers coalesce. */
	change: [];
};

type Runtime = {
	spec: SiteSpec;
	view: SiteView;
	index: number;
	slotsUsed: number;
	queued: boolean;
	running: boolean;
	finished: boolean;
	counted: boolean;
};

type QueueEntry = {readonly id: number; readonly scheduledAt: number; readonly manual?: boolean};

/**
The check engine: one timer heap for every site, one armed timer for the earliest due slot, a runner
that starts due checks while in-flight < the controller's limit, and per-site state for the snapshot.
Plain TypeScript: time comes from `clock`, I/O from `probe`.
*/
export class CheckEngine extends EventEmitter<EngineEvents> implements MonitorHandle {
	readonly #probe: Probe;
	readonly #clock: Clock;
	readonly #checksPerSite: number;
	readonly #timeoutMs: number | undefined;
	readonly #controller: ConcurrencyController;
	readonly #measure: (() => ProcessSignals) | undefined;
	readonly #tickMs: number;
	readonly #suspectShare: number;
	readonly #suspectAfter: number;
	readonly #heap = new TimerHeap();
	readonly #sites = new Map<number, Runtime>();
	#views: SiteView[] = [];
	readonly #normal: QueueEntry[] = [];
	readonly #suspect: QueueEntry[] = [];
	readonly #abort = new AbortController();
	#anchor = 0;
	#timer: unknown;
	#armedAt: number | undefined;
	#tickTimer: unknown;
	#running = false;
	#stopped = false;
	#inFlight = 0;
	#suspectInFlight = 0;
	#peakInFlight = 0;
	#unfinished = 0;
	#started = 0;
	#completed = 0;
	#skipped = 0;
	#doneEmitted = false;
	#idleWaiters: Array<() => void> = [];
	readonly #completions = new PerSecondCounter();
	readonly #timeouts = new PerSecondCounter();
	readonly #failures = new PerSecondCounter();
	readonly #lateness = new RecentSample(4096);
	#windowLateness = new RecentSample(4096);
	#windowCompleted = 0;
	#windowFreshTimeouts = 0;
	#lastSignals: ProcessSignals = {eventLoopDelayP99Ms: 0, cpuUtilisation: 0};
	#snapshot: EngineSnapshot | undefined;
	#startedAt = 0;
	#changedIds = new Set<number>();
	// Kept up to date on every view change, so totals cost O(1) instead of a pass over 100,000 views.
	readonly #statusCounts: Record<SiteView['status'], number> = {up: 0, down: 0, paused: 0, pending: 0};
	#totals: EngineTotals | undefined;
	#removedIds: number[] = [];

	constructor(options: EngineOptions) {
		super();
		this.#probe = options.probe;
		this.#clock = options.clock ?? systemClock;
		this.#checksPerSite = options.checksPerSite && options.checksPerSite > 0 ? options.checksPerSite : 0;
		this.#timeoutMs = options.timeoutMs;
		this.#controller = options.controller ?? createConcurrencyController();
		this.#measure = options.measure;
		this.#tickMs = options.tickMs ?? 1000;
		this.#suspectShare = options.suspectShare ?? 0.25;
		this.#suspectAfter = options.suspectAfterTimeouts ?? 1;
	}

	/** Current concurrency limit. */
	get limit(): number {
		return this.#controller.limit;
	}

	get inFlight(): number {
		return this.#inFlight;
	}

	onChange(listener: () => void): () => void {
		this.on('change', listener);
		return () => this.off('change', listener);
	}

	/** Adds sites (before or after `start`). A site id already known is replaced. */
	addSites(specs: Iterable<SiteSpec>): void {
		for (const spec of specs) {
			if (this.#sites.has(spec.id)) {
				this.removeSite(spec.id);
			}

			const runtime: Runtime = {
				spec, view: initialView(spec), index: this.#views.length, slotsUsed: 0, queued: false, running: false, finished: false, counted: false,
			};
			this.#sites.set(spec.id, runtime);
			this.#views.push(runtime.view);
			this.#statusCounts[runtime.view.status]++;
			this.#changedIds.add(spec.id);
			if (!spec.paused) {
				this.#count(runtime, true);
				if (this.#running) {
					this.#schedule(runtime, firstSlot(spec, this.#anchor, this.#clock.now()));
				}
			}
		}

		this.#changed();
	}

	/** Forgets a site. A check already running still reports its result. */
	removeSite(id: number): boolean {
		const runtime = this.#sites.get(id);
		if (!runtime) {
			return false;
		}

		this.#heap.delete(id);
		this.#count(runtime, false);
		this.#sites.delete(id);
		this.#changedIds.delete(id);
		this.#removedIds.push(id);
		// Swap-remove keeps this O(1); the order of `sites` in the snapshot is not a contract (front ends sort).
		this.#statusCounts[runtime.view.status]--;
		const last = this.#views.pop()!;
		if (last.id !== id) {
			this.#views[runtime.index] = last;
			this.#sites.get(last.id)!.index = runtime.index;
		}

		this.#changed();
		this.#maybeDone();
		return true;
	}

	/** Pauses sites: their future slots are not scheduled until `resume`. */
	pause(ids: Iterable<number>): void {
		for (const id of ids) {
			const runtime = this.#sites.get(id);
			if (!runtime || runtime.view.status === 'paused') {
				continue;
			}

			this.#heap.delete(id);
			this.#count(runtime, false);
			this.#setView(runtime, {...runtime.view, status: 'paused', nextDueAt: undefined});
		}

		this.#changed();
		this.#maybeDone();
	}

	/** Resumes paused sites on their original grid (the next slot after now). */
	resume(ids: Iterable<number>): void {
		for (const id of ids) {
			const runtime = this.#sites.get(id);
			if (!runtime || runtime.view.status !== 'paused') {
				continue;
			}

			const {last} = runtime.view;
			this.#setView(runtime, {...runtime.view, status: last ? (isSuccess(last) ? 'up' : 'down') : 'pending'});
			if (!runtime.finished) {
				this.#count(runtime, true);
				if (this.#running) {
					this.#schedule(runtime, nextSlotAfter(runtime.spec, this.#anchor, this.#clock.now()));
				}
			}
		}

		this.#changed();
		this.#pump();
	}

	/** Runs a check of `id` now, outside its grid (the TUI's `r`). False when it is already running. */
	checkNow(id: number): boolean {
		const runtime = this.#sites.get(id);
		if (!runtime || runtime.running || runtime.queued || this.#stopped) {
			return false;
		}

		runtime.queued = true;
		this.#normal.unshift({id, scheduledAt: this.#clock.now(), manual: true});
		this.#pump();
		return true;
	}

	/**
	Views that changed and ids removed since the previous call: what a shard worker sends to the main
	thread instead of its whole site list.
	*/
	takeChanges(): {views: SiteView[]; removed: number[]} {
		const views: SiteView[] = [];
		for (const id of this.#changedIds) {
			const runtime = this.#sites.get(id);
			if (runtime) {
				views.push(runtime.view);
			}
		}

		this.#changedIds.clear();
		const removed = this.#removedIds;
		this.#removedIds = [];
		return {views, removed};
	}

	/**
	Starts scheduling. First checks are spread over each site's first interval. `anchor` (epoch ms)
	lets several shards share one grid origin.
	*/
	start(anchor?: number): void {
		if (this.#running || this.#stopped) {
			return;
		}

		this.#running = true;
		this.#anchor = anchor ?? this.#clock.now();
		this.#startedAt = this.#clock.now();
		// Loading the sites is not load caused by checks: the first tick must not cut the limit for it.
		this.#measure?.();
		for (const runtime of this.#sites.values()) {
			if (runtime.view.status !== 'paused') {
				this.#schedule(runtime, firstSlot(runtime.spec, this.#anchor, this.#anchor));
			}
		}

		this.#tickTimer = this.#clock.setTimer(() => this.#tick(), this.#tickMs);
		this.#arm();
		this.#maybeDone();
	}

	/**
	Stops scheduling; checks already running finish. Resolves when nothing is in flight. Due checks that
	had not started are dropped: they never ran, so there is no result to keep.
	*/
	async stop(): Promise<void> {
		this.#stopped = true;
		this.#running = false;
		this.#clearTimer();
		if (this.#tickTimer !== undefined) {
			this.#clock.clearTimer(this.#tickTimer);
			this.#tickTimer = undefined;
		}

		for (const entry of [...this.#normal, ...this.#suspect]) {
			const runtime = this.#sites.get(entry.id);
			if (runtime) {
				runtime.queued = false;
			}
		}

		this.#normal.length = 0;
		this.#suspect.length = 0;
		await this.idle();
	}

	/** Aborts checks in flight (a forced shutdown); each still reports a result. */
	abortInFlight(): void {
		this.#abort.abort();
	}

	/** Resolves when nothing is in flight. */
	async idle(): Promise<void> {
		if (this.#inFlight === 0) {
			return;
		}

		await new Promise<void>(resolve => {
			this.#idleWaiters.push(resolve);
		});
	}

	/** The current immutable snapshot (rebuilt only when something changed). */
	snapshot(): EngineSnapshot {
		if (this.#snapshot) {
			return this.#snapshot;
		}

		this.#snapshot = {sites: this.#views.slice(), totals: this.totals()};
		return this.#snapshot;
	}

	/** Fleet-wide numbers without the per-site list (what a shard worker publishes ten times a second). */
	totals(): EngineTotals {
		if (this.#totals) {
			return this.#totals;
		}

		const now = this.#clock.now();
		const finished1m = this.#completions.sum(now, 60);
		this.#totals = {
				sites: this.#views.length,
				...this.#statusCounts,
				inFlight: this.#inFlight,
				waiting: this.#normal.length + this.#suspect.length,
				suspectInFlight: this.#suspectInFlight,
				limit: this.#controller.limit,
				limitReason: this.#controller.reason,
				started: this.#started,
				completed: this.#completed,
				skipped: this.#skipped,
				checksPerSecond1s: this.#completions.rate(now, 1),
				checksPerSecond1m: this.#completions.rate(now, 60),
				timeoutRate1m: finished1m > 0 ? this.#timeouts.sum(now, 60) / finished1m : 0,
				errorRate1m: finished1m > 0 ? this.#failures.sum(now, 60) / finished1m : 0,
				latenessP50Ms: this.#lateness.percentile(50),
				latenessP99Ms: this.#lateness.percentile(99),
				eventLoopDelayP99Ms: this.#lastSignals.eventLoopDelayP99Ms,
				cpuUtilisation: this.#lastSignals.cpuUtilisation,
				startedAt: this.#startedAt,
				now,
		};
		return this.#totals;
	}

	#count(runtime: Runtime, counted: boolean): void {
		if (runtime.counted === counted || (counted && runtime.finished)) {
			return;
		}

		runtime.counted = counted;
		this.#unfinished += counted ? 1 : -1;
	}

	#schedule(runtime: Runtime, slot: number): void {
		this.#heap.set(runtime.spec.id, slot);
		this.#setView(runtime, {...runtime.view, nextDueAt: slot});
		this.#arm();
	}

	#setView(runtime: Runtime, view: SiteView): void {
		if (this.#sites.get(runtime.spec.id) === runtime) {
			this.#statusCounts[runtime.view.status]--;
			this.#statusCounts[view.status]++;
		}

		runtime.view = view;
		this.#changedIds.add(runtime.spec.id);
		this.#views[runtime.index] = view;
		this.#snapshot = undefined;
		this.#totals = undefined;
	}

	#changed(): void {
		this.#snapshot = undefined;
		this.#totals = undefined;
		this.emit('change');
	}

	#clearTimer(): void {
		if (this.#timer !== undefined) {
			this.#clock.clearTimer(this.#timer);
			this.#timer = undefined;
			this.#armedAt = undefined;
		}
	}

	#arm(): void {
		if (!this.#running) {
			return;
		}

		const top = this.#heap.peek();
		if (!top) {
			this.#clearTimer();
			return;
		}

		if (this.#armedAt !== undefined && this.#armedAt <= top.dueAt) {
			return;
		}

		this.#clearTimer();
		this.#armedAt = top.dueAt;
		this.#timer = this.#clock.setTimer(() => {
			this.#timer = undefined;
			this.#armedAt = undefined;
			this.#onDue();
		}, top.dueAt - this.#clock.now());
	}

	#onDue(): void {
		if (!this.#running) {
			return;
		}

		const now = this.#clock.now();
		for (let top = this.#heap.peek(); top && top.dueAt <= now; top = this.#heap.peek()) {
			this.#heap.delete(top.key);
			this.#slotDue(this.#sites.get(top.key)!, top.dueAt);
		}

		this.#pump();
		this.#arm();
		this.#changed();
	}

	#slotDue(runtime: Runtime, slot: number): void {
		runtime.slotsUsed++;
		if (runtime.running || runtime.queued) {
			// The previous check has not finished (or not even started) when the next is due: this slot is
			// recorded as skipped rather than piling up a second check of a site that is already slow.
			this.#skip(runtime, slot);
		} else {
			runtime.queued = true;
			const suspect = runtime.view.consecutiveTimeouts >= this.#suspectAfter;
			(suspect ? this.#suspect : this.#normal).push({id: runtime.spec.id, scheduledAt: slot});
		}

		if (this.#checksPerSite > 0 && runtime.slotsUsed >= this.#checksPerSite) {
			this.#count(runtime, false);
			runtime.finished = true;
			this.#setView(runtime, {...runtime.view, nextDueAt: undefined});
			return;
		}

		this.#heap.set(runtime.spec.id, slot + (runtime.spec.intervalSeconds * 1000));
		this.#setView(runtime, {...runtime.view, nextDueAt: slot + (runtime.spec.intervalSeconds * 1000)});
	}

	#skip(runtime: Runtime, slot: number): void {
		this.#skipped++;
		const result: CheckResult = {
			siteId: runtime.spec.id,
			url: runtime.spec.url,
			scheduledAt: slot,
			requestedAt: this.#clock.now(),
			httpStatusCode: 0,
			responseTimeMs: 0,
			regexMatchStatus: regexMatchStatus.notChecked,
			errorKind: 'skipped',
			errorMessage: 'previous check still running at the scheduled time',
		};
		this.#setView(runtime, applyResult(runtime.view, result));
		this.emit('result', result);
	}

	#pump(): void {
		const limit = this.#controller.limit;
		const suspectCap = Math.max(1, Math.floor(limit * this.#suspectShare));
		while (this.#inFlight < limit) {
			const normal = this.#normal[0];
			const suspect = this.#suspectInFlight < suspectCap ? this.#suspect[0] : undefined;
			let entry: QueueEntry | undefined;
			let fromSuspect = false;
			if (normal && (!suspect || normal.scheduledAt <= suspect.scheduledAt || normal.manual)) {
				entry = this.#normal.shift();
			} else if (suspect) {
				entry = this.#suspect.shift();
				fromSuspect = true;
			}

			if (!entry) {
				break;
			}

			const runtime = this.#sites.get(entry.id);
			if (!runtime || runtime.view.status === 'paused') {
				if (runtime) {
					runtime.queued = false;
				}

				continue;
			}

			this.#run(runtime, entry, fromSuspect);
		}
	}

	#run(runtime: Runtime, entry: QueueEntry, suspect: boolean): void {
		const requestedAt = this.#clock.now();
		runtime.queued = false;
		runtime.running = true;
		this.#inFlight++;
		this.#started++;
		if (suspect) {
			this.#suspectInFlight++;
		}

		this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
		if (!entry.manual) {
			const lateness = Math.max(0, requestedAt - entry.scheduledAt);
			this.#lateness.add(lateness);
			this.#windowLateness.add(lateness);
		}

		const wasUp = runtime.view.status === 'up';
		this.#setView(runtime, {...runtime.view, running: true});
		const {spec} = runtime;
		void this.#probe({url: spec.url, regex: spec.regex, timeoutMs: this.#timeoutMs, signal: this.#abort.signal})
			.catch((error: unknown): ProbeOutcome => ({
				// The prober promises never to throw; if it does, the slot still ends as a row.
				httpStatusCode: failureStatus.other,
				responseTimeMs: this.#clock.now() - requestedAt,
				regexMatchStatus: regexMatchStatus.notChecked,
				errorKind: 'other',
				errorMessage: error instanceof Error ? error.message : String(error),
			}))
			.then(outcome => {
				this.#finish(runtime, {...outcome, siteId: spec.id, url: spec.url, scheduledAt: entry.scheduledAt, requestedAt}, suspect, wasUp);
			});
	}

	#finish(runtime: Runtime, result: CheckResult, suspect: boolean, wasUp: boolean): void {
		this.#inFlight--;
		if (suspect) {
			this.#suspectInFlight--;
		}

		runtime.running = false;
		this.#completed++;
		this.#windowCompleted++;
		const now = this.#clock.now();
		this.#completions.add(now);
		if (isTimeout(result)) {
			this.#timeouts.add(now);
			if (wasUp) {
				this.#windowFreshTimeouts++;
			}
		}

		if (!isSuccess(result)) {
			this.#failures.add(now);
		}

		if (!isTimeout(result)) {
			this.#controller.completed?.(this.#normal.length + this.#suspect.length);
		}

		if (this.#sites.get(runtime.spec.id) === runtime) {
			this.#setView(runtime, applyResult(runtime.view, result));
		}

		this.emit('result', result);
		this.#changed();
		if (!this.#stopped) {
			this.#pump();
		}

		if (this.#inFlight === 0) {
			const waiters = this.#idleWaiters;
			this.#idleWaiters = [];
			for (const resolve of waiters) {
				resolve();
			}
		}

		this.#maybeDone();
	}

	#tick(): void {
		if (!this.#running) {
			return;
		}

		this.#lastSignals = this.#measure?.() ?? this.#lastSignals;
		this.#controller.update({
			freshTimeoutRate: this.#windowCompleted > 0 ? this.#windowFreshTimeouts / this.#windowCompleted : 0,
			eventLoopDelayP99Ms: this.#lastSignals.eventLoopDelayP99Ms,
			cpuUtilisation: this.#lastSignals.cpuUtilisation,
			latenessP90Ms: this.#windowLateness.percentile(90),
			waiting: this.#normal.length + this.#suspect.length,
			peakInFlight: this.#peakInFlight,
		});
		this.#windowCompleted = 0;
		this.#windowFreshTimeouts = 0;
		this.#windowLateness.clear();
		this.#peakInFlight = this.#inFlight;
		this.#tickTimer = this.#clock.setTimer(() => this.#tick(), this.#tickMs);
		this.#pump();
		this.#changed();
	}

	#maybeDone(): void {
		if (this.#checksPerSite === 0 || this.#doneEmitted || !this.#running && !this.#stopped) {
			return;
		}

		if (this.#unfinished === 0 && this.#inFlight === 0 && this.#normal.length === 0 && this.#suspect.length === 0) {
			this.#doneEmitted = true;
			this.emit('done');
		}
	}
}
