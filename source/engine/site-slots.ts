import type {EngineStats} from './engine-stats.js';
import type {StartedCheck} from './engine-types.js';
import type {HostLanes, WaitingCheck} from './host-lanes.js';
import {applyResult, isTimeout, type SiteView} from './site-state.js';
import type {SiteRuntime, SiteTable} from './site-table.js';
import {skippedSlot, standingOf, type SlotSkip} from './slot-rows.js';
import type {SlotScheduler} from './slot-scheduler.js';
import type {CheckResult, Clock, ProbeOutcome} from './types.js';

export type SiteSlotsOptions = {
	readonly table: SiteTable;
	readonly lanes: HostLanes;
	readonly scheduler: SlotScheduler;
	readonly stats: EngineStats;
	readonly clock: Clock;
	/** Slots per site before it is finished; 0 = forever. */
	readonly checksPerSite: number;
	/** Consecutive timeouts after which a site's checks wait as suspects. */
	readonly suspectAfter: number;
	/** Checks in flight not yet waiting on silent servers (what a start counts for the controller). */
	readonly working: () => number;
	/** Something the snapshot shows changed. */
	readonly invalidate: () => void;
	readonly emitResult: (result: CheckResult) => void;
	readonly emitStarted: (check: StartedCheck) => void;
};

/**
What happens to a site at each of its slots, and around each of its checks: the slot becomes a
waiting check, a `skipped` / `client_busy` / `host_busy` row, or (while held) nothing; a check that
starts marks its site running; one that ends becomes its row and the site's new view. The engine
(`CheckEngine`) owns the sites' lifecycle and calls in here.
*/
export class SiteSlots {
	/** While true, slots pass unchecked (see `CheckEngine.hold`). */
	held = false;
	readonly #options: SiteSlotsOptions;
	/** The site of each check in flight (a site removed meanwhile still gets its row). */
	readonly #runtimes = new Map<WaitingCheck, SiteRuntime>();
	#unfinished = 0;

	constructor(options: SiteSlotsOptions) {
		this.#options = options;
	}

	/** Sites still owed slots (counted and not finished): `done` waits for none. */
	get unfinished(): number {
		return this.#unfinished;
	}

	/** Counts `runtime` among the sites `done` waits for, or stops counting it. */
	count(runtime: SiteRuntime, counted: boolean): void {
		if (runtime.counted === counted || (counted && runtime.finished)) {
			return;
		}

		runtime.counted = counted;
		this.#unfinished += counted ? 1 : -1;
	}

	/**
	Takes a site off its grid (paused or removed: the user's choice, so no row): no next slot, its
	waiting check dropped, no longer counted for `done`.
	*/
	unschedule(runtime: SiteRuntime): void {
		this.#options.scheduler.delete(runtime.spec.id);
		if (runtime.waiting) {
			this.#options.lanes.cancel(runtime.waiting);
			runtime.waiting = undefined;
		}

		this.count(runtime, false);
	}

	schedule(runtime: SiteRuntime, slot: number): void {
		this.#options.scheduler.set(runtime.spec.id, slot);
		this.#options.table.setNextDue(runtime, slot);
		this.#options.invalidate();
	}

	setView(runtime: SiteRuntime, view: SiteView): void {
		this.#options.table.setView(runtime, view);
		this.#options.invalidate();
	}

	/** The site has had all its slots. */
	finishSlots(runtime: SiteRuntime): void {
		this.count(runtime, false);
		runtime.finished = true;
		this.#options.table.setNextDue(runtime, undefined);
		this.#options.invalidate();
	}

	slotDue(runtime: SiteRuntime, slot: number): void {
		const {lanes, stats, checksPerSite, suspectAfter} = this.#options;
		const next = slot + (runtime.spec.intervalSeconds * 1000);
		if (this.held) {
			stats.heldSlots++;
			this.schedule(runtime, next);
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
				this.#skip(runtime, waiting.scheduledAt, lanes.reasonWaiting(waiting));
			}

			lanes.reslot(waiting, slot);
		} else {
			runtime.waiting = lanes.enqueue(runtime.lane, runtime.spec.id, slot, {manual: false, standing: standingOf(runtime.view, suspectAfter)});
		}

		if (checksPerSite > 0 && runtime.slotsUsed >= checksPerSite) {
			this.finishSlots(runtime);
			return;
		}

		this.schedule(runtime, next);
	}

	/** A check leaves its lane: its site is running. */
	started(entry: WaitingCheck, requestedAt: number): {url: string; regex: string | undefined} {
		// Paused and removed sites took their checks out of the lanes, so the entry is the site's own.
		const runtime = this.#options.table.get(entry.siteId)!;
		runtime.waiting = undefined;
		runtime.running = true;
		runtime.wasUp = runtime.status === 'up';
		this.#runtimes.set(entry, runtime);
		this.#options.stats.recordStart(this.#options.working());
		this.setView(runtime, {...runtime.view, running: true});
		const {spec} = runtime;
		this.#options.emitStarted({siteId: spec.id, url: spec.url, scheduledAt: entry.scheduledAt, requestedAt});
		return {url: spec.url, regex: spec.regex};
	}

	/** A check ended: its row, its site's view. Returns whether its host showed distress. */
	finished(entry: WaitingCheck, outcome: ProbeOutcome, requestedAt: number): boolean {
		const runtime = this.#runtimes.get(entry)!;
		this.#runtimes.delete(entry);
		const {spec, wasUp} = runtime;
		const result: CheckResult = {...outcome, siteId: spec.id, url: spec.url, scheduledAt: entry.scheduledAt, requestedAt};
		runtime.running = false;
		this.#options.stats.recordFinish(this.#options.clock.now(), result, wasUp, !entry.manual);
		this.setView(runtime, applyResult(runtime.view, result));
		this.#options.emitResult(result);
		// A path that was up timing out, or "too many requests" / "unavailable": the host may be struggling.
		return (wasUp && isTimeout(result)) || result.httpStatusCode === 429 || result.httpStatusCode === 503;
	}

	#skip(runtime: SiteRuntime, slot: number, kind: SlotSkip): void {
		this.#options.stats.recordSkip(kind);
		const result = skippedSlot(runtime.spec, slot, this.#options.clock.now(), kind);
		this.setView(runtime, applyResult(runtime.view, result));
		this.#options.emitResult(result);
	}
}
