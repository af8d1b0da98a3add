import type {WaitingCheck} from './check-queue.js';
import type {Lane} from './host-lanes.js';
import {initialStatus, initialView, type SiteView} from './site-state.js';
import type {SiteSpec} from './types.js';

/**
What the engine keeps per site, and its view. A site not checked yet has no view object until
something reads it (a snapshot's site list, a shard's publication): until then its next slot is kept
here and the view is made from the spec when asked. The headless printer never asks, and a million
sites start without a million views.
*/
export class SiteRuntime {
	readonly spec: SiteSpec;
	readonly lane: Lane;
	/** Position in the table's list (swap-remove keeps it dense). */
	index: number;
	/** Grid slots that came (checked, skipped or superseded). */
	slotsUsed = 0;
	/** The due check waiting in the site's lane, if any. */
	waiting: WaitingCheck | undefined = undefined;
	running = false;
	/** Its status was `up` when the running check started (a timeout then is a sign of host distress). */
	wasUp = false;
	/** Has had every slot of `checksPerSite`. */
	finished = false;
	/** Counted among the sites `done` waits for. */
	counted = false;
	#view: SiteView | undefined;
	/** The next slot while there is no view object (see above). */
	#nextDueAt: number | undefined;

	constructor(spec: SiteSpec, lane: Lane, index: number) {
		this.spec = spec;
		this.lane = lane;
		this.index = index;
	}

	get view(): SiteView {
		this.#view ??= initialView(this.spec, this.#nextDueAt);
		return this.#view;
	}

	set view(view: SiteView) {
		this.#view = view;
	}

	/** The view's status, without making the first view. */
	get status(): SiteView['status'] {
		return this.#view?.status ?? initialStatus(this.spec);
	}

	/**
	Sets the next slot: a new view when one has been made (views are never changed in place), else
	only the number its view will be made with.
	*/
	scheduleAt(nextDueAt: number | undefined): SiteView | undefined {
		if (this.#view) {
			return {...this.#view, nextDueAt};
		}

		this.#nextDueAt = nextDueAt;
		return undefined;
	}
}

/**
The engine's sites and their views, with what snapshots need kept incrementally: status counts, the
views changed since a shard last published, and ids removed since then. Owns every view: the engine
changes a site's view only through `setView`.
*/
export class SiteTable {
	/**
	Whether `takeChanges` will be asked (a shard worker publishes its changes). On the main thread
	nobody asks, and a million ids kept for nobody cost 40 MB.
	*/
	readonly #tracksChanges: boolean;
	readonly #sites = new Map<number, SiteRuntime>();
	/** Every site in the order added (a removal swaps the last into its place). */
	readonly #ordered: SiteRuntime[] = [];
	// Kept up to date on every view change, so totals cost O(1) instead of a pass over 100,000 views.
	readonly #statusCounts: Record<SiteView['status'], number> = {up: 0, down: 0, paused: 0, pending: 0};
	readonly #changedIds = new Set<number>();
	#removedIds: number[] = [];

	constructor(tracksChanges: boolean) {
		this.#tracksChanges = tracksChanges;
	}

	get size(): number {
		return this.#sites.size;
	}

	get statusCounts(): Readonly<Record<SiteView['status'], number>> {
		return this.#statusCounts;
	}

	get(id: number): SiteRuntime | undefined {
		return this.#sites.get(id);
	}

	values(): IterableIterator<SiteRuntime> {
		return this.#sites.values();
	}

	/** Every site's view, for a snapshot. */
	views(): SiteView[] {
		return this.#ordered.map(runtime => runtime.view);
	}

	add(spec: SiteSpec, lane: Lane): SiteRuntime {
		const runtime = new SiteRuntime(spec, lane, this.#ordered.length);
		this.#sites.set(spec.id, runtime);
		this.#ordered.push(runtime);
		this.#statusCounts[runtime.status]++;
		this.#changed(spec.id);
		return runtime;
	}

	remove(runtime: SiteRuntime): void {
		const {id} = runtime.spec;
		this.#sites.delete(id);
		this.#changedIds.delete(id);
		if (this.#tracksChanges) {
			this.#removedIds.push(id);
		}

		this.#statusCounts[runtime.status]--;
		// Swap-remove keeps this O(1); the order of `sites` in the snapshot is not a contract (front ends sort).
		const last = this.#ordered.pop()!;
		if (last !== runtime) {
			this.#ordered[runtime.index] = last;
			last.index = runtime.index;
		}
	}

	/** Replaces a site's view; a site already removed keeps its (now private) view updated only. */
	setView(runtime: SiteRuntime, view: SiteView): void {
		const current = this.#sites.get(runtime.spec.id) === runtime;
		if (current) {
			this.#statusCounts[runtime.status]--;
			this.#statusCounts[view.status]++;
			this.#changed(runtime.spec.id);
		}

		runtime.view = view;
	}

	/** Sets a site's next slot (`SiteRuntime.scheduleAt`); its view changes only if it has one. */
	setNextDue(runtime: SiteRuntime, nextDueAt: number | undefined): void {
		const view = runtime.scheduleAt(nextDueAt);
		if (view) {
			this.setView(runtime, view);
		} else if (this.#sites.get(runtime.spec.id) === runtime) {
			this.#changed(runtime.spec.id);
		}
	}

	/**
	Views that changed and ids removed since the previous call: what a shard worker sends to the main
	thread instead of its whole site list. At most `maxViews` views, the longest-changed first; the
	rest stay for the next call (at start every site changes at once, and half a million views in
	one message took seconds to clone and hundreds of MB on both threads).
	*/
	takeChanges(maxViews = Infinity): {views: SiteView[]; removed: number[]} {
		const views: SiteView[] = [];
		for (const id of this.#changedIds) {
			if (views.length >= maxViews) {
				break;
			}

			views.push(this.#sites.get(id)!.view);
			// Deleting the entry just visited keeps a Set's iteration going.
			this.#changedIds.delete(id);
		}

		const removed = this.#removedIds;
		this.#removedIds = [];
		return {views, removed};
	}

	#changed(id: number): void {
		if (this.#tracksChanges) {
			this.#changedIds.add(id);
		}
	}
}
