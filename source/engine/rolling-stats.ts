/**
Small fixed-memory statistics for the snapshot: counts per second over the last minute, and
percentiles of a bounded sample. Both cost O(1) per event, whatever the fleet size.
*/

/** Event counts in one-second buckets over a sliding window (default 60 s). */
export class PerSecondCounter {
	readonly #buckets: Float64Array;
	readonly #seconds: Float64Array;

	constructor(windowSeconds = 60) {
		this.#buckets = new Float64Array(windowSeconds);
		this.#seconds = new Float64Array(windowSeconds).fill(-1);
	}

	add(nowMs: number, count = 1): void {
		const second = Math.floor(nowMs / 1000);
		const slot = second % this.#buckets.length;
		if (this.#seconds[slot] !== second) {
			this.#seconds[slot] = second;
			this.#buckets[slot] = 0;
		}

		this.#buckets[slot]! += count;
	}

	/** Events per second over the last `seconds` complete seconds (the current partial second excluded). */
	rate(nowMs: number, seconds: number): number {
		const current = Math.floor(nowMs / 1000);
		const span = Math.min(seconds, this.#buckets.length - 1);
		let total = 0;
		for (let back = 1; back <= span; back++) {
			const second = current - back;
			const slot = ((second % this.#buckets.length) + this.#buckets.length) % this.#buckets.length;
			if (this.#seconds[slot] === second) {
				total += this.#buckets[slot]!;
			}
		}

		return total / span;
	}

	/** Sum over the last `seconds` complete seconds. */
	sum(nowMs: number, seconds: number): number {
		return this.rate(nowMs, seconds) * Math.min(seconds, this.#buckets.length - 1);
	}
}

/** Keeps at most `capacity` recent values (a ring) and answers percentiles over them. */
export class RecentSample {
	readonly #values: Float64Array;
	#count = 0;
	#next = 0;
	/** The kept values sorted, until the next `add`: the p50 and the p99 of one snapshot share a sort. */
	#sorted: Float64Array | undefined;

	constructor(capacity = 2048) {
		this.#values = new Float64Array(capacity);
	}

	add(value: number): void {
		this.#sorted = undefined;
		this.#values[this.#next] = value;
		this.#next = (this.#next + 1) % this.#values.length;
		this.#count = Math.min(this.#count + 1, this.#values.length);
	}

	get count(): number {
		return this.#count;
	}

	clear(): void {
		this.#count = 0;
		this.#next = 0;
		this.#sorted = undefined;
	}

	/** Nearest-rank percentile (0..100) of the kept values; 0 when empty. */
	percentile(p: number): number {
		this.#sorted ??= this.#values.slice(0, this.#count).sort();
		return sortedPercentile(this.#sorted, p);
	}
}

/** Nearest-rank percentile of `values` (copied and sorted); 0 when empty. */
export function percentile(values: ArrayLike<number>, p: number): number {
	return sortedPercentile(Float64Array.from(values).sort(), p);
}

function sortedPercentile(sorted: Float64Array, p: number): number {
	if (sorted.length === 0) {
		return 0;
	}

	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank]!;
}
