import {CheckQueue, type Standing, type WaitingCheck} from './check-queue.js';
import {TimerHeap} from './timer-heap.js';

export type {Standing, WaitingCheck} from './check-queue.js';

/**
Per-host lanes: where due checks wait for a slot, one lane per origin (scheme, host, port).

Why lanes: sites on one origin share its connections, so without them a few paths that never answer
hold every connection to their host and its healthy paths wait, then time out, inside our own
process (measured: 1,000 paths on each of 20 hosts with 1% hanging stored 1.6% of healthy checks as
598). A lane bounds what its host gets and who gets it:
- `limit`: checks of the origin in flight at once, at most `maxPerHost` (politeness). The prober's
  pool per origin has exactly `maxPerHost` connections and opens them only as checks need them, so
  a host gets the connections its due checks need, never more than the ceiling, and a check that
  leaves its lane never queues in the pool. A host that shows distress (a path that was up times
  out, or it answers 429 or 503) has its limit halved at the next tick, down to a quarter of the
  ceiling, and regains one per quiet tick: a monitor backs off a struggling server, as TCP backs off
  a congested path.
- standing: checks of sites whose last check succeeded (`good`) go first; `unknown` ones (never
  checked, or failed fast) take only places no good check is waiting for, so paths nobody knows to
  hang yet cannot keep the known-good ones waiting; `suspect` ones (the last check timed out) also
  hold at most `suspectShare` of the limit, at least one, so a host where everything hangs has a
  quarter of its connections tied up, not all of them.
Each standing waits FIFO; across lanes the earliest startable head goes first (one heap per
standing over the lanes that can start such a check now).
*/

/** One origin's lane. Mutable; owned by `HostLanes`. */
export type Lane = {
	readonly id: number;
	readonly origin: string;
	/** Sites on this origin. */
	sites: number;
	limit: number;
	inFlight: number;
	suspectInFlight: number;
	/** Signs of distress since the last tick (see `finished`). */
	distress: number;
	readonly queues: Readonly<Record<Standing, CheckQueue>>;
	/** Waiting checks this lane's caps hold back (counted in `HostLanes.waitingOnHosts`). */
	blocked: number;
};

export type HostLanesOptions = {
	/** Connections to one origin at once. */
	readonly maxPerHost: number;
	/** Share of a lane's limit that suspects may hold (at least one connection). */
	readonly suspectShare: number;
};

/** Why a waiting check had not started: its host's caps, or the engine's global limit. */
export type WaitReason = 'host_busy' | 'client_busy';

const standings: readonly Standing[] = ['good', 'unknown', 'suspect'];

export class HostLanes {
	readonly #maxPerHost: number;
	readonly #suspectShare: number;
	readonly #floor: number;
	readonly #byOrigin = new Map<string, Lane>();
	readonly #byId = new Map<number, Lane>();
	/** Per standing, the lanes that could start such a check now, keyed by its queue head's priority. */
	readonly #ready: Readonly<Record<Standing, TimerHeap>> = {good: new TimerHeap(), unknown: new TimerHeap(), suspect: new TimerHeap()};
	/** Lanes with distress or below the ceiling: what `tick` looks at. */
	readonly #adapting = new Set<Lane>();
	#nextId = 1;
	#waiting = 0;
	#blocked = 0;

	constructor(options: HostLanesOptions) {
		if (!(Number.isInteger(options.maxPerHost) && options.maxPerHost >= 1)) {
			throw new RangeError(`maxPerHost must be a positive integer, got ${options.maxPerHost}`);
		}

		this.#maxPerHost = options.maxPerHost;
		this.#suspectShare = options.suspectShare;
		this.#floor = Math.max(1, Math.ceil(options.maxPerHost / 4));
	}

	/** Checks waiting in every lane. */
	get waiting(): number {
		return this.#waiting;
	}

	/** Checks waiting because their host's caps are reached (the rest wait for the global limit). */
	get waitingOnHosts(): number {
		return this.#blocked;
	}

	/** Origins with at least one site. */
	get hosts(): number {
		return this.#byOrigin.size;
	}

	/** The lane of `origin`, created on first use; counts one more site on it. */
	join(origin: string): Lane {
		let lane = this.#byOrigin.get(origin);
		if (!lane) {
			lane = {
				id: this.#nextId++,
				origin,
				sites: 0,
				limit: this.#maxPerHost,
				inFlight: 0,
				suspectInFlight: 0,
				distress: 0,
				queues: {good: new CheckQueue(), unknown: new CheckQueue(), suspect: new CheckQueue()},
				blocked: 0,
			};
			this.#byOrigin.set(origin, lane);
			this.#byId.set(lane.id, lane);
		}

		lane.sites++;
		return lane;
	}

	/** A site left `lane`; the lane is forgotten once it has no site and nothing in flight. */
	leave(lane: Lane): void {
		lane.sites--;
		this.#forgetIfUnused(lane);
	}

	/** Queues a due check at the tail of its standing's queue (a manual one first of all, as good). */
	enqueue(lane: Lane, siteId: number, scheduledAt: number, kind: {manual: boolean; standing: Standing}): WaitingCheck {
		const standing = kind.manual ? 'good' : kind.standing;
		const entry: WaitingCheck = {siteId, scheduledAt, manual: kind.manual, standing, lane, next: undefined, cancelled: false};
		if (kind.manual) {
			lane.queues[standing].unshift(entry);
		} else {
			lane.queues[standing].push(entry);
		}

		this.#waiting++;
		this.#refresh(lane);
		return entry;
	}

	/** A waiting check now stands for a later slot of its site, in the same place in its lane. */
	reslot(entry: WaitingCheck, scheduledAt: number): void {
		entry.scheduledAt = scheduledAt;
		this.#refresh(entry.lane);
	}

	/**
	Why `entry` is still waiting now: its host's caps when they leave no place for it (the lane is
	full, good checks wait for every free place, or a suspect's share is used), else the global limit.
	*/
	reasonWaiting(entry: WaitingCheck): WaitReason {
		const {lane} = entry;
		const free = lane.limit - lane.inFlight;
		const hostFull = free <= 0
			|| (entry.standing !== 'good' && free <= lane.queues.good.size)
			|| (entry.standing === 'suspect' && lane.suspectInFlight >= this.#suspectCap(lane));
		return hostFull ? 'host_busy' : 'client_busy';
	}

	/** Takes `entry` out of its lane without running it. */
	cancel(entry: WaitingCheck): void {
		if (entry.cancelled) {
			return;
		}

		entry.cancelled = true;
		const {lane} = entry;
		lane.queues[entry.standing].size--;
		this.#waiting--;
		this.#refresh(lane);
		this.#forgetIfUnused(lane);
	}

	/**
	Takes the earliest check that may start now and counts it in flight on its lane. Suspects only
	when `allowSuspect` (the engine's own suspect cap). Undefined when nothing may start.
	*/
	take(allowSuspect: boolean): WaitingCheck | undefined {
		let best: {key: number; dueAt: number} | undefined;
		let from: Standing | undefined;
		for (const standing of standings) {
			const top = standing === 'suspect' && !allowSuspect ? undefined : this.#ready[standing].peek();
			if (top && (!best || top.dueAt < best.dueAt)) {
				best = top;
				from = standing;
			}
		}

		if (!best || !from) {
			return undefined;
		}

		const lane = this.#byId.get(best.key)!;
		const entry = lane.queues[from].shift()!;
		if (from === 'suspect') {
			lane.suspectInFlight++;
		}

		this.#waiting--;
		lane.inFlight++;
		this.#refresh(lane);
		return entry;
	}

	/**
	A check that `take` returned has finished; `distress` when its host showed overload (a path that
	was up timed out, or a 429 or 503).
	*/
	finished(entry: WaitingCheck, distress = false): void {
		const {lane} = entry;
		lane.inFlight--;
		if (entry.standing === 'suspect') {
			lane.suspectInFlight--;
		}

		if (distress) {
			lane.distress++;
			this.#adapting.add(lane);
		}

		this.#refresh(lane);
		this.#forgetIfUnused(lane);
	}

	/** Once per engine tick: hosts in distress get half their limit, quiet ones one more, up to the ceiling. */
	tick(): void {
		for (const lane of this.#adapting) {
			if (lane.distress > 0) {
				lane.limit = Math.max(this.#floor, Math.floor(lane.limit / 2));
				lane.distress = 0;
			} else if (lane.limit < this.#maxPerHost) {
				lane.limit++;
			}

			if (lane.limit >= this.#maxPerHost) {
				this.#adapting.delete(lane);
			}

			this.#refresh(lane);
		}
	}

	/** Drops every waiting check (the engine stops); returns them so their sites can be told. */
	clear(): WaitingCheck[] {
		const dropped: WaitingCheck[] = [];
		for (const lane of this.#byOrigin.values()) {
			for (const standing of standings) {
				dropped.push(...lane.queues[standing].live());
			}
		}

		for (const entry of dropped) {
			this.cancel(entry);
		}

		return dropped;
	}

	#suspectCap(lane: Lane): number {
		return Math.max(1, Math.floor(lane.limit * this.#suspectShare));
	}

	/** Puts the lane in (or out of) the ready heaps and recounts what its caps hold back. */
	#refresh(lane: Lane): void {
		const {good, unknown, suspect} = lane.queues;
		const free = Math.max(0, lane.limit - lane.inFlight);
		const suspectRoom = Math.max(0, this.#suspectCap(lane) - lane.suspectInFlight);
		// Places beyond those the waiting good checks need are what the others may take.
		const spare = Math.max(0, free - good.size);
		setOrDelete(this.#ready.good, lane.id, free > 0 ? priority(good.peek()) : undefined);
		setOrDelete(this.#ready.unknown, lane.id, spare > 0 ? priority(unknown.peek()) : undefined);
		setOrDelete(this.#ready.suspect, lane.id, spare > 0 && suspectRoom > 0 ? priority(suspect.peek()) : undefined);
		const startable = Math.min(good.size, free)
			+ Math.min(unknown.size + Math.min(suspect.size, suspectRoom), spare);
		const blocked = good.size + unknown.size + suspect.size - startable;
		this.#blocked += blocked - lane.blocked;
		lane.blocked = blocked;
	}

	#forgetIfUnused(lane: Lane): void {
		if (lane.sites > 0 || lane.inFlight > 0 || standings.some(standing => lane.queues[standing].size > 0)) {
			return;
		}

		this.#byOrigin.delete(lane.origin);
		this.#byId.delete(lane.id);
		this.#adapting.delete(lane);
		for (const standing of standings) {
			this.#ready[standing].delete(lane.id);
		}
	}
}

/** Manual checks first, then by slot; undefined for an empty queue. */
function priority(entry: WaitingCheck | undefined): number | undefined {
	if (!entry) {
		return undefined;
	}

	return entry.manual ? -Infinity : entry.scheduledAt;
}

function setOrDelete(heap: TimerHeap, key: number, dueAt: number | undefined): void {
	if (dueAt === undefined) {
		heap.delete(key);
	} else if (heap.dueAt(key) !== dueAt) {
		heap.set(key, dueAt);
	}
}
