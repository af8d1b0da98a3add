import {EventEmitter, setMaxListeners} from 'node:events';
import {createConcurrencyController, type ConcurrencyController} from './concurrency-controller.js';
import {EngineStats} from './engine-stats.js';
import type {EngineEvents, EngineSnapshot, EngineTotals, MonitorHandle, ProcessSignals} from './engine-types.js';
import {HostLanes, type Standing, type WaitingCheck} from './host-lanes.js';
import {applyResult, isSuccess, isTimeout, type SiteView} from './site-state.js';
import {SiteTable, type SiteRuntime} from './site-table.js';
import {SlotScheduler} from './slot-scheduler.js';
import {firstSlot, nextSlotAfter} from './spread.js';
import {
	defaultMaxPerHost, failureStatus, regexMatchStatus, systemClock, type CheckResult, type Clock, type ErrorKind, type Probe, type ProbeOutcome, type SiteSpec,
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
	Share of the limit (the engine's, and each host's) that sites whose last check timed out may
	hold. Dead sites keep a slot for the whole timeout; without a bound, a fleet or a host with many
	of them starves the live ones.
	*/
	readonly suspectShare?: number;
	/** Consecutive timeouts after which a site runs in the bounded suspect share. */
	readonly suspectAfterTimeouts?: number;
	/** Connections to one origin at once (the prober must allow at least as many). Default `defaultMaxPerHost`. */
	readonly maxPerHost?: number;
};

/** Where a restarted engine picks up (a shard worker that replaced one that died). */
export type ResumePoint = {
	/** Epoch ms: each site's first slot is its next grid slot at or after this, never one in the past. */
	readonly at: number;
	/** Slots each site already had (stored rows), so `checksPerSite` still holds over both lives. */
	readonly slotsUsed?: ReadonlyMap<number, number>;
};

const waitedMessage: Record<'host_busy' | 'client_busy', string> = {
	host_busy: 'not started before the next slot: every connection its host may have (--max-per-host) was busy',
	client_busy: 'not started before the next slot: every check slot of webmon-tui was busy',
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
	readonly #probe: Probe;
	readonly #clock: Clock;
	readonly #checksPerSite: number;
	readonly #timeoutMs: number | undefined;
	readonly #controller: ConcurrencyController;
	readonly #measure: (() => ProcessSignals) | undefined;
	readonly #tickMs: number;
	readonly #suspectShare: number;
	readonly #suspectAfter: number;
	readonly #scheduler: SlotScheduler;
	readonly #lanes: HostLanes;
	readonly #table = new SiteTable();
	readonly #stats = new EngineStats();
	readonly #abort = new AbortController();
	#anchor = 0;
	#tickTimer: unknown;
	#running = false;
	#stopped = false;
	#inFlight = 0;
	#suspectInFlight = 0;
	#unfinished = 0;
	#doneEmitted = false;
	#idleWaiters: Array<() => void> = [];
	#lastSignals: ProcessSignals = {eventLoopDelayP99Ms: 0, cpuUtilisation: 0};
	#snapshot: EngineSnapshot | undefined;
	#totals: EngineTotals | undefined;
	#startedAt = 0;

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
		this.#lanes = new HostLanes({maxPerHost: options.maxPerHost ?? defaultMaxPerHost, suspectShare: this.#suspectShare});
		this.#scheduler = new SlotScheduler(this.#clock, (id, slot) => {
			this.#slotDue(this.#table.get(id)!, slot);
		}, () => {
			this.#pump();
			this.#changed();
		});
		// Every probe in flight listens to this one signal: thousands of listeners are expected here.
		setMaxListeners(0, this.#abort.signal);
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
			if (this.#table.get(spec.id)) {
				this.removeSite(spec.id);
			}

			const runtime = this.#table.add(spec, this.#lanes.join(originOf(spec.url)));
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

	/** Pauses sites: their future slots are not scheduled until `resume`, and a check waiting to start is dropped. */
	pause(ids: Iterable<number>): void {
		for (const id of ids) {
			const runtime = this.#table.get(id);
			if (!runtime || runtime.view.status === 'paused') {
				continue;
			}

			this.#scheduler.delete(id);
			this.#dropWaiting(runtime);
			this.#count(runtime, false);
			this.#setView(runtime, {...runtime.view, status: 'paused', nextDueAt: undefined});
		}

		this.#changed();
		this.#maybeDone();
	}

	/** Resumes paused sites on their original grid (the next slot after now). */
	resume(ids: Iterable<number>): void {
		for (const id of ids) {
			const runtime = this.#table.get(id);
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

	/** Runs a check of `id` now, outside its grid (the TUI's `r`). False when it is already running or waiting. */
	checkNow(id: number): boolean {
		const runtime = this.#table.get(id);
		if (!runtime || runtime.running || runtime.waiting || this.#stopped) {
			return false;
		}

		runtime.waiting = this.#lanes.enqueue(runtime.lane, id, this.#clock.now(), {manual: true, standing: 'good'});
		this.#pump();
		return true;
	}

	/** Views changed and ids removed since the previous call (what a shard worker publishes). */
	takeChanges(): {views: SiteView[]; removed: number[]} {
		return this.#table.takeChanges();
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
			} else if (runtime.view.status !== 'paused') {
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
		this.#snapshot ??= {sites: this.#table.views(), totals: this.totals()};
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
			inFlight: this.#inFlight,
			waiting: this.#lanes.waiting,
			waitingOnHosts: this.#lanes.waitingOnHosts,
			suspectInFlight: this.#suspectInFlight,
			limit: this.#controller.limit,
			limitReason: this.#controller.reason,
			started: stats.started,
			completed: stats.completed,
			skipped: stats.skipped,
			skippedClientBusy: stats.skippedClientBusy,
			skippedHostBusy: stats.skippedHostBusy,
			...stats.rates(now),
			eventLoopDelayP99Ms: this.#lastSignals.eventLoopDelayP99Ms,
			cpuUtilisation: this.#lastSignals.cpuUtilisation,
			startedAt: this.#startedAt,
			now,
		};
		return this.#totals;
	}

	/** Checks waiting for the engine's own limit (not held back by their host's cap). */
	get #waitingForSlot(): number {
		return this.#lanes.waiting - this.#lanes.waitingOnHosts;
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
		this.#setView(runtime, {...runtime.view, nextDueAt: slot});
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
		this.#setView(runtime, {...runtime.view, nextDueAt: undefined});
	}

	#slotDue(runtime: SiteRuntime, slot: number): void {
		runtime.slotsUsed++;
		if (runtime.running) {
			// The site has not answered its previous check: this slot is recorded as skipped rather than
			// piling a second check onto a site that is already slow.
			this.#skip(runtime, slot, 'skipped', 'previous check still running at the scheduled time');
		} else if (runtime.waiting) {
			// Still waiting on our side when the next slot comes: the stale slot becomes a row naming
			// what held it, and the check, keeping its place in the lane, stands for the current slot.
			const {waiting} = runtime;
			if (!waiting.manual) {
				const reason = this.#lanes.reasonWaiting(waiting);
				this.#skip(runtime, waiting.scheduledAt, reason, waitedMessage[reason]);
			}

			this.#lanes.reslot(waiting, slot);
		} else {
			runtime.waiting = this.#lanes.enqueue(runtime.lane, runtime.spec.id, slot, {manual: false, standing: this.#standing(runtime.view)});
		}

		if (this.#checksPerSite > 0 && runtime.slotsUsed >= this.#checksPerSite) {
			this.#finishSlots(runtime);
			return;
		}

		this.#schedule(runtime, slot + (runtime.spec.intervalSeconds * 1000));
	}

	/** Where a site's next check queues in its lane (see `HostLanes`). */
	#standing(view: SiteView): Standing {
		if (view.consecutiveTimeouts >= this.#suspectAfter) {
			return 'suspect';
		}

		return view.last && isSuccess(view.last) ? 'good' : 'unknown';
	}

	#skip(runtime: SiteRuntime, slot: number, errorKind: ErrorKind, errorMessage: string): void {
		this.#stats.recordSkip(errorKind);
		const result: CheckResult = {
			siteId: runtime.spec.id,
			url: runtime.spec.url,
			scheduledAt: slot,
			requestedAt: this.#clock.now(),
			httpStatusCode: 0,
			responseTimeMs: 0,
			regexMatchStatus: regexMatchStatus.notChecked,
			errorKind,
			errorMessage,
		};
		this.#setView(runtime, applyResult(runtime.view, result));
		this.emit('result', result);
	}

	#pump(): void {
		const limit = this.#controller.limit;
		const suspectCap = Math.max(1, Math.floor(limit * this.#suspectShare));
		while (this.#inFlight < limit) {
			const entry = this.#lanes.take(this.#suspectInFlight < suspectCap);
			if (!entry) {
				break;
			}

			// Paused and removed sites took their checks out of the lanes, so the entry is the site's own.
			const runtime = this.#table.get(entry.siteId)!;
			runtime.waiting = undefined;
			this.#run(runtime, entry);
		}
	}

	#run(runtime: SiteRuntime, entry: WaitingCheck): void {
		const requestedAt = this.#clock.now();
		runtime.running = true;
		this.#inFlight++;
		if (entry.standing === 'suspect') {
			this.#suspectInFlight++;
		}

		this.#stats.recordStart(this.#inFlight);
		const wasUp = runtime.view.status === 'up';
		this.#setView(runtime, {...runtime.view, running: true});
		const {spec} = runtime;
		this.emit('started', {siteId: spec.id, url: spec.url, scheduledAt: entry.scheduledAt, requestedAt});
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
				this.#finish(runtime, entry, {...outcome, siteId: spec.id, url: spec.url, scheduledAt: entry.scheduledAt, requestedAt}, wasUp);
			});
	}

	#finish(runtime: SiteRuntime, entry: WaitingCheck, result: CheckResult, wasUp: boolean): void {
		this.#inFlight--;
		if (entry.standing === 'suspect') {
			this.#suspectInFlight--;
		}

		// A path that was up timing out, or "too many requests" / "unavailable": the host may be struggling.
		this.#lanes.finished(entry, (wasUp && isTimeout(result)) || result.httpStatusCode === 429 || result.httpStatusCode === 503);
		runtime.running = false;
		this.#stats.recordFinish(this.#clock.now(), result, wasUp, !entry.manual);
		if (!isTimeout(result)) {
			this.#controller.completed?.(this.#waitingForSlot);
		}

		this.#setView(runtime, applyResult(runtime.view, result));
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
		this.#lanes.tick();
		this.#controller.update({
			...this.#stats.takeWindow(this.#waitingForSlot, this.#inFlight),
			eventLoopDelayP99Ms: this.#lastSignals.eventLoopDelayP99Ms,
			cpuUtilisation: this.#lastSignals.cpuUtilisation,
		});
		this.#tickTimer = this.#clock.setTimer(() => {
			this.#tick();
		}, this.#tickMs);
		this.#pump();
		this.#changed();
	}

	#maybeDone(): void {
		if (this.#checksPerSite === 0 || this.#doneEmitted || (!this.#running && !this.#stopped)) {
			return;
		}

		if (this.#unfinished === 0 && this.#inFlight === 0 && this.#lanes.waiting === 0) {
			this.#doneEmitted = true;
			this.emit('done');
		}
	}
}

/** The origin a site's connections go to (its lane); the URL itself when it has none. */
function originOf(url: string): string {
	const parsed = URL.parse(url);
	return parsed && parsed.origin !== 'null' ? parsed.origin : url;
}
