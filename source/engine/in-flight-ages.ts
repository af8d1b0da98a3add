/** Width of the time slices checks are counted in, ms. */
const sliceMs = 100;

/**
A check out this long waits on its server (ms, to within one slice): everything that costs CPU in a
check (connect, send, parse, match) is over within a few milliseconds on a live server, and a server
that has not answered in half a second has the check waiting on it, costing nothing but a socket.
*/
export const stalledAfterMs = 500;

/**
How long the checks in flight have been out: how many are *stalled* (out for over `stalledAfterMs`).
Counted per 100 ms slice of start time, so the bookkeeping is O(1) per check and a few dozen map
entries per `stalled` call (a timeout's worth of slices), whatever the number in flight.
*/
export class InFlightAges {
	/** Checks in flight per slice of their start time. */
	readonly #slices = new Map<number, number>();
	/** Slices below this one are counted in `#stalled`. */
	#stalledBefore = -Infinity;
	#stalled = 0;

	/** A check started at `at` (ms). */
	add(at: number): void {
		const slice = Math.floor(at / sliceMs);
		this.#slices.set(slice, (this.#slices.get(slice) ?? 0) + 1);
		if (slice < this.#stalledBefore) {
			// Only when the clock went back.
			this.#stalled++;
		}
	}

	/** The check started at `at` ended. */
	remove(at: number): void {
		const slice = Math.floor(at / sliceMs);
		const left = (this.#slices.get(slice) ?? 1) - 1;
		if (left === 0) {
			this.#slices.delete(slice);
		} else {
			this.#slices.set(slice, left);
		}

		if (slice < this.#stalledBefore) {
			this.#stalled--;
		}
	}

	/** Checks in flight that started over `stalledAfterMs` before `now`. */
	stalled(now: number): number {
		const before = Math.floor((now - stalledAfterMs) / sliceMs);
		if (before > this.#stalledBefore) {
			for (const [slice, count] of this.#slices) {
				if (slice < before && slice >= this.#stalledBefore) {
					this.#stalled += count;
				}
			}

			this.#stalledBefore = before;
		}

		return this.#stalled;
	}
}
