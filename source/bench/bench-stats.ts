/**
Percentiles and counters for the benchmark's analysis: plain arithmetic over numbers, no I/O.
*/

/** Distribution of a set of durations, ms. */
export type LatenessStats = {
	readonly count: number;
	readonly p50: number;
	readonly p90: number;
	readonly p99: number;
	readonly max: number;
	readonly mean: number;
};

/** Nearest-rank percentiles of `values` (sorted in place). */
export function latenessStats(values: Float64Array): LatenessStats {
	const count = values.length;
	if (count === 0) {
		return {count, p50: 0, p90: 0, p99: 0, max: 0, mean: 0};
	}

	values.sort();
	const rank = (p: number) => values[Math.max(0, Math.ceil((p / 100) * count) - 1)]!;
	let sum = 0;
	for (const value of values) {
		sum += value;
	}

	return {count, p50: rank(50), p90: rank(90), p99: rank(99), max: values[count - 1]!, mean: sum / count};
}

/** Adds one to `counts[key]`. */
export function increment(counts: Record<string, number>, key: string): void {
	counts[key] = (counts[key] ?? 0) + 1;
}

/** A growable list of numbers that ends as a Float64Array for sorting. */
export class Samples {
	#values = new Float64Array(1024);
	#length = 0;

	/** Appends one value. */
	push(value: number): void {
		if (this.#length === this.#values.length) {
			const grown = new Float64Array(this.#values.length * 2);
			grown.set(this.#values);
			this.#values = grown;
		}

		this.#values[this.#length++] = value;
	}

	/** Percentiles of the values so far. */
	stats(): LatenessStats {
		return latenessStats(this.#values.slice(0, this.#length));
	}
}
