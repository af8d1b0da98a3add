/**
The adaptive concurrency limit that replaces the predecessor's "magic" `asyncio.Semaphore(100)`.

Algorithm: AIMD with a slow start, as TCP congestion control does it (RFC 5681): while nothing is
wrong and checks are waiting for a slot, the limit grows, by one slot per check that finishes in time
and doubling each tick, until the first sign of trouble (a fleet with dead sites needs thousands of slots within seconds of start-up); after that it
grows by a quarter while more checks wait than there are slots, and additively (5%) once the backlog
is smaller than the limit. When a signal worsens the limit is cut multiplicatively (x0.7). It is
evaluated once per tick (about a second), from signals the caller measures.

The timeout signal is deliberately the *fresh* timeout rate: timeouts of sites whose previous check
succeeded. A fleet where 10% of sites are dead times out 10% of the time whatever the limit is, and
cutting the limit for that would only make the live sites late; a live site that starts timing out
when the limit goes up is what overload looks like from here.

The limit bounds checks that are working (see `CheckRunner`): a check waiting on a silent server
costs no CPU and leaves the limit after a second, so neither a cut for CPU nor the dead sites of a
fleet shrink what the live sites get.
*/

/** What the controller looks at on each tick. */
export type ControllerSignals = {
	/** Fraction (0..1) of checks finished in the last window that timed out although the site's previous check succeeded. */
	readonly freshTimeoutRate: number;
	/** Event-loop delay p99 in the last window, ms. */
	readonly eventLoopDelayP99Ms: number;
	/** CPU used by this process in the last window, as a fraction of the cores it may use (0..1). */
	readonly cpuUtilisation: number;
	/** P90 of (start - scheduled) for checks started in the last window, ms. */
	readonly latenessP90Ms: number;
	/** Checks that were due but waiting for a slot at the end of the window. */
	readonly waiting: number;
	/** Highest number of checks working (in flight, not yet waiting on a silent server) during the window. */
	readonly peakInFlight: number;
};

/** Thresholds and bounds; defaults are chosen from what the signals mean, not tuned per machine. */
export type ControllerOptions = {
	/** Starting limit. */
	readonly initial?: number;
	readonly min?: number;
	/** User's `--max-concurrency` cap; unbounded by default. */
	readonly max?: number;
	/** Event-loop delay above which the process is overloaded (a late timer makes every latency wrong). */
	readonly maxLoopDelayMs?: number;
	/** CPU use above which there is no room left for more parallel work. */
	readonly maxCpu?: number;
	/** Fresh timeout rate above which live sites are being hurt. */
	readonly maxFreshTimeoutRate?: number;
	/** Multiplicative decrease factor. */
	readonly decrease?: number;
};

export type ControllerDecision = {
	readonly limit: number;
	/** Short human text: why the limit is what it is (the TUI shows it). */
	readonly reason: string;
};

export type ConcurrencyController = {
	readonly limit: number;
	readonly reason: string;
	update(signals: ControllerSignals): ControllerDecision;
	/**
	A check finished without timing out while `waiting` checks wait for a slot. In slow start each
	such check adds a slot, as TCP's slow start adds a segment per ACK: the limit doubles every round
	of checks instead of once per tick, so a fleet that starts with thousands of checks due reaches
	its limit in about a second instead of six ticks.
	*/
	completed?(waiting: number): void;
};

export function createConcurrencyController(options: ControllerOptions = {}): ConcurrencyController {
	const min = Math.max(1, options.min ?? 4);
	const max = Math.max(min, options.max ?? Infinity);
	const maxLoopDelayMs = options.maxLoopDelayMs ?? 100;
	const maxCpu = options.maxCpu ?? 0.9;
	const maxFreshTimeoutRate = options.maxFreshTimeoutRate ?? 0.02;
	const decrease = options.decrease ?? 0.7;
	let limit = clamp(options.initial ?? 64, min, max);
	let reason = 'starting';
	let slowStart = true;

	const cut = (why: string): ControllerDecision => {
		slowStart = false;
		limit = clamp(Math.floor(limit * decrease), min, max);
		reason = why;
		return {limit, reason};
	};

	return {
		get limit() {
			return limit;
		},
		get reason() {
			return reason;
		},
		completed(waiting) {
			if (slowStart && waiting > 0 && limit < max) {
				limit++;
				reason = 'raise: checks waiting, all healthy (slow start)';
			}
		},
		update(signals) {
			if (signals.eventLoopDelayP99Ms > maxLoopDelayMs) {
				return cut(`cut: event-loop delay ${Math.round(signals.eventLoopDelayP99Ms)} ms > ${maxLoopDelayMs} ms`);
			}

			if (signals.cpuUtilisation > maxCpu) {
				return cut(`cut: CPU ${Math.round(signals.cpuUtilisation * 100)}% > ${Math.round(maxCpu * 100)}%`);
			}

			if (signals.freshTimeoutRate > maxFreshTimeoutRate) {
				return cut(`cut: ${(signals.freshTimeoutRate * 100).toFixed(1)}% of healthy sites timed out`);
			}

			// Grow only when the limit is what holds checks back: waiting work and the slots in use.
			const saturated = signals.waiting > 0 && signals.peakInFlight >= limit * 0.9;
			if (!saturated) {
				reason = signals.waiting > 0 ? 'hold: slots not full' : 'hold: no checks waiting';
				return {limit, reason};
			}

			if (limit >= max) {
				reason = `at --max-concurrency ${max}`;
				return {limit, reason};
			}

			if (slowStart) {
				limit = clamp(limit * 2, min, max);
				reason = 'raise: checks waiting, all healthy (slow start)';
			} else if (signals.waiting >= limit) {
				// More checks queue than there are slots: +5% a tick would take a minute to catch up, so
				// grow by a quarter.
				limit = clamp(Math.ceil(limit * 1.25), min, max);
				reason = 'raise: backlog larger than the limit, all healthy';
			} else {
				limit = clamp(limit + Math.max(2, Math.ceil(limit * 0.05)), min, max);
				reason = 'raise: checks waiting, all healthy';
			}

			return {limit, reason};
		},
	};
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}
