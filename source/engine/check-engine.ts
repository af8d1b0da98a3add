import {EventEmitter} from 'node:events';
import {createConcurrencyController, type ConcurrencyController} from './concurrency-controller.js';
import {CheckRunner} from './check-runner.js';
import {EngineStats} from './engine-stats.js';
import type {EngineEvents, EngineSnapshot, EngineTotals, MonitorHandle, ProcessSignals} from './engine-types.js';
import {HostLanes, type WaitingCheck} from './host-lanes.js';
import {keepPauses, type PauseOutcome, type PauseStore} from './pause-store.js';
import {applyResult, isTimeout, withPaused, type SiteView} from './site-state.js';
import {SiteTable, type SiteRuntime} from './site-table.js';
import {originOf, skippedSlot, standingOf, type SlotSkip} from './slot-rows.js';
import {SlotScheduler} from './slot-scheduler.js';
import {firstSlot, nextSlotAfter} from './spread.js';
import {
	defaultMaxPerHost, systemClock, type CheckResult, type Clock, type Probe, type ProbeOutcome, type SiteSpec,
} from './types.js';

export type {EngineEvents, EngineSnapshot, EngineTotals, MonitorHandle, ProcessSignals, StartedCheck} from './engine-types.js';

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
	Checks in flight at most, those waiting on silent servers included (each holds a socket until its
	deadline); the controller's limit bounds only the working ones (see `CheckRunner`). Default: none.
	*/
	readonly maxInFlight?: number;
	/**
	Share of `maxInFlight`, and of each host's connections, that sites whose last check timed out may
	hold. Dead sites keep a socket for the whole timeout; without a bound, a fleet or a host with many
	of them takes every one the live sites need.
	*/
	readonly suspectShare?: number;
	/** Consecutive timeouts after which a site runs in the bounded suspect share. */
	readonly suspectAfterTimeouts?: number;
	/** Connections to one origin at once (the prober must allow at least as many). Default `defaultMaxPerHost`. */
	readonly maxPerHost?: number;
	/** Slots due within this step start together (see `SlotScheduler`), ms. Default 0: each at its own moment. */
	readonly slotBatchMs?: number;
	/** Keeps pauses beyond the run (storage); none in a shard worker, whose main thread keeps them. */
	readonly pauseStore?: PauseStore | undefined;
	/**
	Whether `takeChanges` is used (a shard worker's publications): only then does the engine record
	which sites changed. Default false.
	*/
	readonly publishesChanges?: boolean;
};

/** Where a restarted engine picks up (a shard worker that replaced one that died). */
export type ResumePoint = {
	/** Epoch ms: each site's first slot is its next grid slot at or after this, never one in the past. */
	readonly at: number;
	/** Slots each site already had (stored rows), so `checksPerSite` still holds over both lives. */
	readonly slotsUsed?: ReadonlyMap<number, number>;
};

/**
The check engine: the slot scheduler says when each site is due, host lanes hold due checks until
their host and the controller's limit allow them to start, and a site table keeps every site's view
for the snapshot. Plain TypeScript: time comes from `clock`, I/O from `probe`.

Every grid slot ends as exactly one `result`: the check's outcome, or a no-verdict row when the site
was not asked (`skipped`: its previous check still ran; `client_busy` / `host_busy`: the check was
still waiting for a slot on our side when the next slot came, and the newer slot replaces it).
*/
export class CheckEngine extends EventEmitter<EngineEvents> implements MonitorHandle {
	readonly #clock: Clock;
	readonly #checksPerSite: number;
	readonly #controller: ConcurrencyController;
	readonly #measure: (() => ProcessSignals) | undefined;
	readonly #tickMs: number;
	readonly #suspectShare: number;
	readonly #suspectAfter: number;
	readonly #pauseStore: PauseStore | undefined;
	readonly #scheduler: SlotScheduler;
	readonly #lanes: HostLanes;
	readonly #table: SiteTable;
	readonly #stats = new EngineStats();
	readonly #runner: CheckRunner;
	/** The site of each check in flight (a site removed meanwhile still gets its row). */
	readonly #runtimes = new Map<WaitingCheck, SiteRuntime>();
	#anchor = 0;
	#tickTimer: unknown;
	#running = false;
	#stopped = false;
	#held = false;
	#unfinished = 0;
	#doneEmitted = false;
	#lastSignals: ProcessSignals = {eventLoopDelayP99Ms: 0, cpuUtilisation: 0};
	#snapshot: EngineSnapshot | undefined;
	#totals: EngineTotals | undefined;
	#startedAt = 0;

	constructor(options: EngineOptions) {
		super();
		this.#clock = options.clock ?? systemClock;
		this.#checksPerSite = options.checksPerSite && options.checksPerSite > 0 ? options.checksPerSite : 0;
		this.#controller = options.controller ?? createConcurrencyController();
		this.#measure = options.measure;
		this.#tickMs = options.tickMs ?? 1000;
		this.#suspectShare = options.suspectShare ?? 0.25;
		this.#suspectAfter = options.suspectAfterTimeouts ?? 1;
		this.#pauseStore = options.pauseStore;
		this.#table = new SiteTable(options.publishesChanges ?? false);
		this.#lanes = new HostLanes({maxPerHost: options.maxPerHost ?? defaultMaxPerHost, suspectShare: this.#suspectShare});
		this.#scheduler = new SlotScheduler(this.#clock, (id, slot) => {
			this.#slotDue(this.#table.get(id)!, slot);
		}, () => {
			this.#runner.pump();
			this.#changed();
		}, options.slotBatchMs);
		this.#runner = new CheckRunner({
			probe: options.probe,
			clock: this.#clock,
			lanes: this.#lanes,
			controller: this.#controller,
			maxInFlight: options.maxInFlight ?? Infinity,
			suspectShare: this.#suspectShare,
			timeoutMs: options.timeoutMs,
			hooks: {
				start: (entry, requestedAt) => this.#started(entry, requestedAt),
				outcome: (entry, outcome, requestedAt) => this.#finished(entry, outcome, requestedAt),
				settled: () => {
					this.#maybeDone();
				},
			},
		});
	}

	/** Current concurrency limit. */
	get limit(): number {
		return this.#controller.limit;
	}

	get inFlight(): number {
		return this.#runner.inFlight;
	}

	onChange(listener: () => void): () => void {
		this.on('change', listener);
		return () => this.off('change', listener);
	}

	/** Adds sites (before or after `start`). A site id already known is replaced. */
	addSites(specs: Iterable<SiteSpec>): void {
		for (const spec of specs) {
			if (this.#table.get(spec.id)) {
				this.removeSite(spec.id);
			}

			const runtime = this.#table.add(spec, this.#lanes.join(originOf(spec.url)));
			if (spec.paused) {
				continue;
			}

			this.#count(runtime, true);
			if (this.#running) {
				this.#schedule(runtime, firstSlot(spec, this.#anchor, this.#clock.now()));
			}
		}

		this.#changed();
	}

	/** Forgets a site. A check already running still reports its result. */
	removeSite(id: number): boolean {
		const runtime = this.#table.get(id);
		if (!runtime) {
			return false;
		}

		this.#scheduler.delete(id);
		this.#dropWaiting(runtime);
		this.#count(runtime, false);
		this.#table.remove(runtime);
		this.#lanes.leave(runtime.lane);
		this.#changed();
		this.#maybeDone();
		return true;
	}

	/**
	Pauses sites: their future slots are not scheduled until `resume`, and a check waiting to start is
	dropped. A site's view is the engine's one record of its pause (see `MonitorHandle.pause`).
	*/
	async pause(ids: Iterable<number>): Promise<PauseOutcome> {
		const changed: SiteSpec[] = [];
		for (const id of ids) {
			const runtime = this.#table.get(id);
			if (!runtime || runtime.status === 'paused') {
				continue;
			}

			this.#scheduler.delete(id);
			this.#dropWaiting(runtime);
			this.#count(runtime, false);
			this.#setView(runtime, withPaused(runtime.view, true));
			changed.push(runtime.spec);
		}

		this.#changed();
		this.#maybeDone();
		return keepPauses(this.#pauseStore, changed, true);
	}

	/** Resumes paused sites on their original grid (the next slot after now). */
	async resume(ids: Iterable<number>): Promise<PauseOutcome> {
		const changed: SiteSpec[] = [];
		for (const id of ids) {
			const runtime = this.#table.get(id);
			if (runtime?.status !== 'paused') {
				continue;
			}

			this.#setView(runtime, withPaused(runtime.view, false));
			changed.push(runtime.spec);
			if (runtime.finished) {
				continue;
			}

			this.#count(runtime, true);
			if (this.#running) {
				this.#schedule(runtime, nextSlotAfter(runtime.spec, this.#anchor, this.#clock.now()));
			}
		}

		this.#changed();
		this.#runner.pump();
		return keepPauses(this.#pauseStore, changed, false);
	}

	/**
	Holds scheduling (true) or lets it go on (false) without pausing any site (a pause is the user's,
	and stored). While held, each slot that comes due passes unchecked: counted in `heldSlots`, not a
	check and not a row, and not one of `checksPerSite`. Checks already waiting or running go on. For
	storage that can keep no more results (a full disk): making checks whose results would be lost
	helps nobody.
	*/
	hold(held: boolean): void {
		this.#held = held;
		this.#changed();
	}

	/** Runs a check of `id` now, outside its grid (the TUI's `r`). False when it is already running or waiting. */
	checkNow(id: number): boolean {
		const runtime = this.#table.get(id);
		if (!runtime || runtime.running || runtime.waiting || this.#stopped) {
			return false;
		}

		runtime.waiting = this.#lanes.enqueue(runtime.lane, id, this.#clock.now(), {manual: true, standing: 'good'});
		this.#runner.pump();
		return true;
	}

	/** Views changed and ids removed since the previous call (what a shard worker publishes), at most `maxViews` views. */
	takeChanges(maxViews?: number): {views: SiteView[]; removed: number[]} {
		return this.#table.takeChanges(maxViews);
	}

	/**
	Starts scheduling. First checks are spread over each site's first interval. `anchor` (epoch ms)
	lets several shards share one grid origin; `resume` starts from the present of a grid that began
	earlier, as a shard restarted after a crash does.
	*/
	start(anchor?: number, resume?: ResumePoint): void {
		if (this.#running || this.#stopped) {
			return;
		}

		this.#running = true;
		this.#anchor = anchor ?? this.#clock.now();
		this.#startedAt = this.#clock.now();
		// Loading the sites is not load caused by checks: the first tick must not cut the limit for it.
		this.#measure?.();
		for (const runtime of this.#table.values()) {
			runtime.slotsUsed = resume?.slotsUsed?.get(runtime.spec.id) ?? 0;
			if (this.#checksPerSite > 0 && runtime.slotsUsed >= this.#checksPerSite) {
				this.#finishSlots(runtime);
			} else if (runtime.status !== 'paused') {
				this.#schedule(runtime, nextSlotAfter(runtime.spec, this.#anchor, resume?.at ?? this.#anchor));
			}
		}

		this.#scheduler.start();
		this.#tickTimer = this.#clock.setTimer(() => {
			this.#tick();
		}, this.#tickMs);
		this.#maybeDone();
	}

	/**
	Stops scheduling; checks already running finish. Resolves when nothing is in flight. Due checks that
	had not started are dropped: they never ran, so there is no result to keep.
	*/
	async stop(): Promise<void> {
		this.#stopped = true;
		this.#running = false;
		this.#runner.stop();
		this.#scheduler.stop();
		if (this.#tickTimer !== undefined) {
			this.#clock.clearTimer(this.#tickTimer);
			this.#tickTimer = undefined;
		}

		for (const entry of this.#lanes.clear()) {
			const runtime = this.#table.get(entry.siteId);
			if (runtime?.waiting === entry) {
				runtime.waiting = undefined;
			}
		}

		await this.idle();
	}

	/** Aborts checks in flight (a forced shutdown); each still reports a result. */
	abortInFlight(): void {
		this.#runner.abort();
	}

	/** Resolves when nothing is in flight. */
	async idle(): Promise<void> {
		await this.#runner.idle();
	}

	/**
	The current immutable snapshot (rebuilt only when something changed). Its site list is made on
	first read: the headless printer reads only the totals, and a million views would be made for it
	on every summary.
	*/
	snapshot(): EngineSnapshot {
		if (!this.#snapshot) {
			const table = this.#table;
			let sites: SiteView[] | undefined;
			this.#snapshot = {
				get sites() {
					sites ??= table.views();
					return sites;
				},
				totals: this.totals(),
			};
		}

		return this.#snapshot;
	}

	/** Fleet-wide numbers without the per-site list (what a shard worker publishes ten times a second). */
	totals(): EngineTotals {
		if (this.#totals) {
			return this.#totals;
		}

		const now = this.#clock.now();
		const stats = this.#stats;
		this.#totals = {
			sites: this.#table.size,
			...this.#table.statusCounts,
			hosts: this.#lanes.hosts,
			inFlight: this.#runner.inFlight,
			stalledInFlight: this.#runner.inFlight - this.#runner.working,
			waiting: this.#lanes.waiting,
			waitingOnHosts: this.#lanes.waitingOnHosts,
			suspectInFlight: this.#runner.suspectInFlight,
			limit: this.#controller.limit,
			limitReason: this.#controller.reason,
			started: stats.started,
			completed: stats.completed,
			skipped: stats.skipped,
			skippedClientBusy: stats.skippedClientBusy,
			skippedHostBusy: stats.skippedHostBusy,
			heldSlots: stats.heldSlots,
			...stats.rates(now),
			eventLoopDelayP99Ms: this.#lastSignals.eventLoopDelayP99Ms,
			cpuUtilisation: this.#lastSignals.cpuUtilisation,
			startedAt: this.#startedAt,
			now,
		};
		return this.#totals;
	}

	#count(runtime: SiteRuntime, counted: boolean): void {
		if (runtime.counted === counted || (counted && runtime.finished)) {
			return;
		}

		runtime.counted = counted;
		this.#unfinished += counted ? 1 : -1;
	}

	#schedule(runtime: SiteRuntime, slot: number): void {
		this.#scheduler.set(runtime.spec.id, slot);
		this.#table.setNextDue(runtime, slot);
		this.#snapshot = undefined;
		this.#totals = undefined;
	}

	#setView(runtime: SiteRuntime, view: SiteView): void {
		this.#table.setView(runtime, view);
		this.#snapshot = undefined;
		this.#totals = undefined;
	}

	#changed(): void {
		this.#snapshot = undefined;
		this.#totals = undefined;
		this.emit('change');
	}

	/** Takes a site's waiting check out of its lane without a row (paused, removed: the user's choice). */
	#dropWaiting(runtime: SiteRuntime): void {
		if (runtime.waiting) {
			this.#lanes.cancel(runtime.waiting);
			runtime.waiting = undefined;
		}
	}

	#finishSlots(runtime: SiteRuntime): void {
		this.#count(runtime, false);
		runtime.finished = true;
		this.#table.setNextDue(runtime, undefined);
		this.#snapshot = undefined;
		this.#totals = undefined;
	}

	#slotDue(runtime: SiteRuntime, slot: number): void {
		if (this.#held) {
			this.#stats.heldSlots++;
			this.#schedule(runtime, slot + (runtime.spec.intervalSeconds * 1000));
			return;
		}

		runtime.slotsUsed++;
		if (runtime.running) {
			// The site has not answered its previous check: this slot is recorded as skipped rather than
			// piling a second check onto a site that is already slow.
			this.#skip(runtime, slot, 'skipped');
		} else if (runtime.waiting) {
			// Still waiting on our side when the next slot comes: the stale slot becomes a row naming
			// what held it, and the check, keeping its place in the lane, stands for the current slot.
			const {waiting} = runtime;
			if (!waiting.manual) {
				this.#skip(runtime, waiting.scheduledAt, this.#lanes.reasonWaiting(waiting));
			}

			this.#lanes.reslot(waiting, slot);
		} else {
			runtime.waiting = this.#lanes.enqueue(runtime.lane, runtime.spec.id, slot, {manual: false, standing: standingOf(runtime.view, this.#suspectAfter)});
		}

		if (this.#checksPerSite > 0 && runtime.slotsUsed >= this.#checksPerSite) {
			this.#finishSlots(runtime);
			return;
		}

		this.#schedule(runtime, slot + (runtime.spec.intervalSeconds * 1000));
	}

	#skip(runtime: SiteRuntime, slot: number, kind: SlotSkip): void {
		this.#stats.recordSkip(kind);
		const result = skippedSlot(runtime.spec, slot, this.#clock.now(), kind);
		this.#setView(runtime, applyResult(runtime.view, result));
		this.emit('result', result);
	}

	/** A check leaves its lane: its site is running. */
	#started(entry: WaitingCheck, requestedAt: number): {url: string; regex: string | undefined} {
		// Paused and removed sites took their checks out of the lanes, so the entry is the site's own.
		const runtime = this.#table.get(entry.siteId)!;
		runtime.waiting = undefined;
		runtime.running = true;
		runtime.wasUp = runtime.status === 'up';
		this.#runtimes.set(entry, runtime);
		this.#stats.recordStart(this.#runner.working);
		this.#setView(runtime, {...runtime.view, running: true});
		const {spec} = runtime;
		this.emit('started', {siteId: spec.id, url: spec.url, scheduledAt: entry.scheduledAt, requestedAt});
		return {url: spec.url, regex: spec.regex};
	}

	/** A check ended: its row, its site's view. Returns whether its host showed distress. */
	#finished(entry: WaitingCheck, outcome: ProbeOutcome, requestedAt: number): boolean {
		const runtime = this.#runtimes.get(entry)!;
		this.#runtimes.delete(entry);
		const {spec, wasUp} = runtime;
		const result: CheckResult = {...outcome, siteId: spec.id, url: spec.url, scheduledAt: entry.scheduledAt, requestedAt};
		runtime.running = false;
		this.#stats.recordFinish(this.#clock.now(), result, wasUp, !entry.manual);
		this.#setView(runtime, applyResult(runtime.view, result));
		this.emit('result', result);
		this.#changed();
		// A path that was up timing out, or "too many requests" / "unavailable": the host may be struggling.
		return (wasUp && isTimeout(result)) || result.httpStatusCode === 429 || result.httpStatusCode === 503;
	}

	#tick(): void {
		if (!this.#running) {
			return;
		}

		this.#lastSignals = this.#measure?.() ?? this.#lastSignals;
		this.#lanes.tick();
		this.#controller.update({
			...this.#stats.takeWindow(this.#runner.waitingForSlot, this.#runner.working),
			eventLoopDelayP99Ms: this.#lastSignals.eventLoopDelayP99Ms,
			cpuUtilisation: this.#lastSignals.cpuUtilisation,
		});
		this.#tickTimer = this.#clock.setTimer(() => {
			this.#tick();
		}, this.#tickMs);
		this.#runner.pump();
		this.#changed();
	}

	#maybeDone(): void {
		if (this.#checksPerSite === 0 || this.#doneEmitted || (!this.#running && !this.#stopped)) {
			return;
		}

		if (this.#unfinished === 0 && this.#runner.inFlight === 0 && this.#lanes.waiting === 0) {
			this.#doneEmitted = true;
			this.emit('done');
		}
	}
}
