import {TimerHeap} from './timer-heap.js';
import type {Clock} from './types.js';

/**
Every site's next grid slot in one timer heap, with a single armed timer for the earliest: 100,000
sites cost one timer, not 100,000. Pure: time comes from the injected clock.

With `batchMs`, the timer fires on a grid of that step (slots due in (t - batchMs, t] fire together
at t), so a thread wakes once per step for the checks due in it, not once per check: at 460 checks
a second on one thread a bare HTTP client spends 0.55 ms of CPU per request paced one by one and
0.41 ms in bursts of ten (measured here). Each check starts at most `batchMs` after its slot, and
that delay is counted as lateness like any other.
*/
export class SlotScheduler {
	readonly #clock: Clock;
	readonly #heap = new TimerHeap();
	readonly #onSlot: (siteId: number, slot: number) => void;
	readonly #afterSlots: () => void;
	readonly #batchMs: number;
	#timer: unknown;
	#armedAt: number | undefined;
	#running = false;
	/** Inside `#fire`: slots set by `onSlot` are armed once, after the batch. */
	#firing = false;

	/**
	`onSlot` is called for each slot that came due, in time order (the site is out of the heap then:
	schedule its next slot from there); `afterSlots` once after each batch of due slots.
	*/
	constructor(clock: Clock, onSlot: (siteId: number, slot: number) => void, afterSlots: () => void, batchMs = 0) {
		if (!(Number.isFinite(batchMs) && batchMs >= 0)) {
			throw new RangeError(`batchMs must be a non-negative number, got ${batchMs}`);
		}

		this.#clock = clock;
		this.#onSlot = onSlot;
		this.#afterSlots = afterSlots;
		this.#batchMs = batchMs;
	}

	/** Puts (or moves) a site's next slot. */
	set(siteId: number, slot: number): void {
		this.#heap.set(siteId, slot);
		this.#arm();
	}

	delete(siteId: number): void {
		this.#heap.delete(siteId);
	}

	start(): void {
		this.#running = true;
		this.#arm();
	}

	stop(): void {
		this.#running = false;
		this.#disarm();
	}

	#disarm(): void {
		if (this.#timer !== undefined) {
			this.#clock.clearTimer(this.#timer);
			this.#timer = undefined;
			this.#armedAt = undefined;
		}
	}

	#arm(): void {
		if (!this.#running || this.#firing) {
			return;
		}

		const top = this.#heap.peek();
		if (!top) {
			this.#disarm();
			return;
		}

		const fireAt = this.#batchMs > 0 ? Math.ceil(top.dueAt / this.#batchMs) * this.#batchMs : top.dueAt;
		if (this.#armedAt !== undefined && this.#armedAt <= fireAt) {
			return;
		}

		this.#disarm();
		this.#armedAt = fireAt;
		this.#timer = this.#clock.setTimer(() => {
			this.#timer = undefined;
			this.#armedAt = undefined;
			this.#fire();
		}, fireAt - this.#clock.now());
	}

	#fire(): void {
		if (!this.#running) {
			return;
		}

		const now = this.#clock.now();
		this.#firing = true;
		try {
			for (let top = this.#heap.peek(); top && top.dueAt <= now; top = this.#heap.peek()) {
				this.#heap.delete(top.key);
				this.#onSlot(top.key, top.dueAt);
			}
		} finally {
			this.#firing = false;
		}

		this.#afterSlots();
		this.#arm();
	}
}
