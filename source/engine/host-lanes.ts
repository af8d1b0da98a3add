import {CheckQueue, type WaitingCheck} from './check-queue.js';
import {TimerHeap} from './timer-heap.js';

export type {WaitingCheck} from './check-queue.js';

/**
Per-host lanes: where due checks wait for a slot, one lane per origin (scheme, host, port).

Why lanes: sites on one origin share its connections, so without them a few paths that never answer
hold every connection to their host and its healthy paths wait, then time out, inside our own
process (measured: 1,000 paths on each of 20 hosts with 1% hanging stored 1.6% of healthy checks as
598). A lane bounds what its host gets:
- `limit`: connections to the origin at once. It follows what is due there: it grows by one each
  time a check of a site in good standing would otherwise wait, up to `maxPerHost` (politeness),
  and shrinks by one per tick while at most half of it was used. The prober opens at most
  `maxPerHost` connections per origin, so a check that leaves its lane never queues in the pool.
- suspects (sites whose last check timed out) hold at most `suspectShare` of the limit and never
  grow it: dead paths cannot crowd out live ones, and a host where everything hangs gets one
  connection, not `maxPerHost`.
Waiting checks are FIFO per lane; across lanes the earliest head starts first (two heaps over the
lanes that can start something: one for checks in good standing, one for suspects).
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
	/** Highest `inFlight` since the last tick. */
	peakInFlight: number;
	readonly normal: CheckQueue;
	readonly suspect: CheckQueue;
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

export class HostLanes {
	readonly #maxPerHost: number;
	readonly #suspectShare: number;
	readonly #byOrigin = new Map<string, Lane>();
	readonly #byId = new Map<number, Lane>();
	/** Lanes with a check in good standing that could start now, keyed by their head's priority. */
	readonly #normalReady = new TimerHeap();
	/** Lanes with a suspect that could start now (global suspect cap aside). */
	readonly #suspectReady = new TimerHeap();
	/** Lanes above a limit of one, which `tick` may shrink. */
	readonly #grown = new Set<Lane>();
	#nextId = 1;
	#waiting = 0;
	#blocked = 0;

	constructor(options: HostLanesOptions) {
		if (!(Number.isInteger(options.maxPerHost) && options.maxPerHost >= 1)) {
			throw new RangeError(`maxPerHost must be a positive integer, got ${options.maxPerHost}`);
		}

		this.#maxPerHost = options.maxPerHost;
		this.#suspectShare = options.suspectShare;
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
				limit: 1,
				inFlight: 0,
				suspectInFlight: 0,
				peakInFlight: 0,
				normal: new CheckQueue(),
				suspect: new CheckQueue(),
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

	/** Queues a due check at the tail of its lane (a manual one at the head). */
	enqueue(lane: Lane, siteId: number, scheduledAt: number, kind: {manual: boolean; suspect: boolean}): WaitingCheck {
		const entry: WaitingCheck = {siteId, scheduledAt, manual: kind.manual, suspect: kind.suspect, lane, next: undefined, cancelled: false};
		if (!entry.suspect && lane.inFlight + lane.normal.size >= lane.limit && lane.limit < this.#maxPerHost) {
			// A check in good standing would wait for its host: the host's share follows what is due there.
			lane.limit++;
			this.#grown.add(lane);
		}

		const queue = entry.suspect ? lane.suspect : lane.normal;
		if (entry.manual) {
			queue.unshift(entry);
		} else {
			queue.push(entry);
		}

		this.#waiting++;
		this.#refresh(lane);
		return entry;
	}

	/** Why `entry` is still waiting now: its host's caps, or the global limit. */
	reasonWaiting(entry: WaitingCheck): WaitReason {
		const {lane} = entry;
		const hostFull = lane.inFlight >= lane.limit || (entry.suspect && lane.suspectInFlight >= this.#suspectCap(lane));
		return hostFull ? 'host_busy' : 'client_busy';
	}

	/** Takes `entry` out of its lane without running it. */
	cancel(entry: WaitingCheck): void {
		if (entry.cancelled) {
			return;
		}

		entry.cancelled = true;
		const {lane} = entry;
		(entry.suspect ? lane.suspect : lane.normal).size--;
		this.#waiting--;
		this.#refresh(lane);
		this.#forgetIfUnused(lane);
	}

	/**
	Takes the earliest check that may start now and counts it in flight on its lane. Suspects only
	when `allowSuspect` (the engine's own suspect cap). Undefined when nothing may start.
	*/
	take(allowSuspect: boolean): WaitingCheck | undefined {
		const normal = this.#normalReady.peek();
		const suspect = allowSuspect ? this.#suspectReady.peek() : undefined;
		if (!normal && !suspect) {
			return undefined;
		}

		const fromSuspect = suspect !== undefined && (normal === undefined || suspect.dueAt < normal.dueAt);
		const lane = this.#byId.get(fromSuspect ? suspect.key : normal!.key)!;
		const entry = (fromSuspect ? lane.suspect : lane.normal).shift()!;
		if (fromSuspect) {
			lane.suspectInFlight++;
		}

		this.#waiting--;
		lane.inFlight++;
		lane.peakInFlight = Math.max(lane.peakInFlight, lane.inFlight);
		this.#refresh(lane);
		return entry;
	}

	/** A check that `take` returned has finished. */
	finished(entry: WaitingCheck): void {
		const {lane} = entry;
		lane.inFlight--;
		if (entry.suspect) {
			lane.suspectInFlight--;
		}

		this.#refresh(lane);
		this.#forgetIfUnused(lane);
	}

	/** Once per engine tick: lanes whose demand fell give back a connection. */
	tick(): void {
		for (const lane of this.#grown) {
			if (lane.peakInFlight * 2 <= lane.limit && lane.normal.size === 0) {
				lane.limit--;
				if (lane.limit <= 1) {
					this.#grown.delete(lane);
				}

				this.#refresh(lane);
			}

			lane.peakInFlight = lane.inFlight;
		}
	}

	/** Drops every waiting check (the engine stops); returns them so their sites can be told. */
	clear(): WaitingCheck[] {
		const dropped: WaitingCheck[] = [];
		for (const lane of this.#byOrigin.values()) {
			dropped.push(...lane.normal.live(), ...lane.suspect.live());
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
		const room = lane.inFlight < lane.limit;
		const normalHead = lane.normal.peek();
		const suspectHead = lane.suspect.peek();
		const suspectRoom = room && lane.suspectInFlight < this.#suspectCap(lane);
		setOrDelete(this.#normalReady, lane.id, room && normalHead ? priority(normalHead) : undefined);
		setOrDelete(this.#suspectReady, lane.id, suspectRoom && suspectHead ? priority(suspectHead) : undefined);
		const blocked = (room ? 0 : lane.normal.size) + (suspectRoom ? 0 : lane.suspect.size);
		this.#blocked += blocked - lane.blocked;
		lane.blocked = blocked;
	}

	#forgetIfUnused(lane: Lane): void {
		if (lane.sites > 0 || lane.inFlight > 0 || lane.normal.size > 0 || lane.suspect.size > 0) {
			return;
		}

		this.#byOrigin.delete(lane.origin);
		this.#byId.delete(lane.id);
		this.#grown.delete(lane);
		this.#normalReady.delete(lane.id);
		this.#suspectReady.delete(lane.id);
	}
}

/** Manual checks first, then by slot. */
function priority(entry: WaitingCheck): number {
	return entry.manual ? Number.NEGATIVE_INFINITY : entry.scheduledAt;
}

function setOrDelete(heap: TimerHeap, key: number, dueAt: number | undefined): void {
	if (dueAt === undefined) {
		heap.delete(key);
	} else if (heap.dueAt(key) !== dueAt) {
		heap.set(key, dueAt);
	}
}
