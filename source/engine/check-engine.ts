import {EventEmitter} from 'node:events';
import {createConcurrencyController, type ConcurrencyController} from './concurrency-controller.js';
import {CheckRunner} from './check-runner.js';
import {EngineStats} from './engine-stats.js';
import type {EngineEvents, EngineOptions, EngineSnapshot, EngineTotals, MonitorHandle, ProcessSignals, ResumePoint} from './engine-types.js';
import {HostLanes} from './host-lanes.js';
import {keepPauses, type PauseOutcome, type PauseStore} from './pause-store.js';
import {withPaused, type SiteView} from './site-state.js';
import {SiteSlots} from './site-slots.js';
import {SiteTable} from './site-table.js';
import {originOf} from './slot-rows.js';
import {SlotScheduler} from './slot-scheduler.js';
import {firstSlot, nextSlotAfter} from './spread.js';
import {defaultMaxPerHost, systemClock, type Clock, type SiteSpec} from './types.js';

export type {EngineEvents, EngineOptions, EngineSnapshot, EngineTotals, MonitorHandle, ProcessSignals, ResumePoint, StartedCheck} from './engine-types.js';

/**
The check engine: the slot scheduler says when each site is due, `SiteSlots` turns each slot into a
waiting check or a row, host lanes hold due checks until their host allows them to start, the runner
starts them within the controller's limit, and a site table keeps every site's view for the
snapshot. This class owns the sites' lifecycle (add, remove, pause, resume, start, stop) and the
controller's tick. Plain TypeScript: time comes from `clock`, I/O from `probe`.

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
	readonly #pauseStore: PauseStore | undefined;
	readonly #scheduler: SlotScheduler;
	readonly #lanes: HostLanes;
	readonly #table: SiteTable;
	readonly #stats = new EngineStats();
	readonly #runner: CheckRunner;
	readonly #slots: SiteSlots;
	#anchor = 0;
	#tickTimer: unknown;
	#running = false;
	#stopped = false;
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
		const suspectShare = options.suspectShare ?? 0.25;
		this.#pauseStore = options.pauseStore;
		this.#table = new SiteTable(options.publishesChanges ?? false);
		this.#lanes = new HostLanes({maxPerHost: options.maxPerHost ?? defaultMaxPerHost, suspectShare});
		this.#scheduler = new SlotScheduler(this.#clock, (id, slot) => {
			this.#slots.slotDue(this.#table.get(id)!, slot);
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
			suspectShare,
			timeoutMs: options.timeoutMs,
			hooks: {
				start: (entry, requestedAt) => this.#slots.started(entry, requestedAt),
				outcome: (entry, outcome, requestedAt) => {
					const distress = this.#slots.finished(entry, outcome, requestedAt);
					this.#changed();
					return distress;
				},
				settled: () => {
					this.#maybeDone();
				},
			},
		});
		this.#slots = new SiteSlots({
			table: this.#table,
			lanes: this.#lanes,
			scheduler: this.#scheduler,
			stats: this.#stats,
			clock: this.#clock,
			checksPerSite: this.#checksPerSite,
			suspectAfter: options.suspectAfterTimeouts ?? 1,
			working: () => this.#runner.working,
			invalidate: () => {
				this.#snapshot = undefined;
				this.#totals = undefined;
			},
			emitResult: result => this.emit('result', result),
			emitStarted: check => this.emit('started', check),
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

			this.#slots.count(runtime, true);
			if (this.#running) {
				this.#slots.schedule(runtime, firstSlot(spec, this.#anchor, this.#clock.now()));
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

		this.#slots.unschedule(runtime);
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

			this.#slots.unschedule(runtime);
			this.#slots.setView(runtime, withPaused(runtime.view, true));
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

			this.#slots.setView(runtime, withPaused(runtime.view, false));
			changed.push(runtime.spec);
			if (runtime.finished) {
				continue;
			}

			this.#slots.count(runtime, true);
			if (this.#running) {
				this.#slots.schedule(runtime, nextSlotAfter(runtime.spec, this.#anchor, this.#clock.now()));
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
		this.#slots.held = held;
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
				this.#slots.finishSlots(runtime);
			} else if (runtime.status !== 'paused') {
				this.#slots.schedule(runtime, nextSlotAfter(runtime.spec, this.#anchor, resume?.at ?? this.#anchor));
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

	#changed(): void {
		this.#snapshot = undefined;
		this.#totals = undefined;
		this.emit('change');
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

		if (this.#slots.unfinished === 0 && this.#runner.inFlight === 0 && this.#lanes.waiting === 0) {
			this.#doneEmitted = true;
			this.emit('done');
		}
	}
}
