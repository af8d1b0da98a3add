import type {ControllerSignals} from './concurrency-controller.js';
import {PerSecondCounter, RecentSample} from './rolling-stats.js';
import {isSuccess, isTimeout} from './site-state.js';
import type {CheckResult, ErrorKind} from './types.js';

/**
The engine's counters and rolling statistics: fleet totals for the snapshot and the per-tick window
the concurrency controller reads. O(1) per event, fixed memory, whatever the fleet size.
*/
export class EngineStats {
	started = 0;
	completed = 0;
	skipped = 0;
	skippedClientBusy = 0;
	skippedHostBusy = 0;
	/** Slots that passed while scheduling was held (see `CheckEngine.hold`): not checks, and no rows. */
	heldSlots = 0;
	readonly #completions = new PerSecondCounter();
	readonly #timeouts = new PerSecondCounter();
	readonly #failures = new PerSecondCounter();
	readonly #lateness = new RecentSample(4096);
	readonly #windowLateness = new RecentSample(4096);
	#windowCompleted = 0;
	#windowFreshTimeouts = 0;
	#peakInFlight = 0;

	/** A check was handed to the prober; `working` (checks in flight not yet waiting on silent servers) counts it. */
	recordStart(working: number): void {
		this.started++;
		this.#peakInFlight = Math.max(this.#peakInFlight, working);
	}

	recordSkip(kind: ErrorKind): void {
		this.skipped++;
		if (kind === 'client_busy') {
			this.skippedClientBusy++;
		} else if (kind === 'host_busy') {
			this.skippedHostBusy++;
		}
	}

	/**
	A check finished at `now`. Lateness counts from the slot to the moment the request was written to
	the socket (`sentAt`), the moment the site saw it; checks that never sent (a refused connection,
	a manual check off the grid) add none.
	*/
	recordFinish(now: number, result: CheckResult, wasUp: boolean, onGrid: boolean): void {
		this.completed++;
		this.#windowCompleted++;
		this.#completions.add(now);
		if (isTimeout(result)) {
			this.#timeouts.add(now);
			if (wasUp) {
				this.#windowFreshTimeouts++;
			}
		}

		if (!isSuccess(result)) {
			this.#failures.add(now);
		}

		if (onGrid && result.sentAt !== undefined) {
			const lateness = Math.max(0, result.sentAt - result.scheduledAt);
			this.#lateness.add(lateness);
			this.#windowLateness.add(lateness);
		}
	}

	/** Rates and percentiles for the snapshot. */
	rates(now: number): {
		checksPerSecond1s: number;
		checksPerSecond1m: number;
		timeoutRate1m: number;
		errorRate1m: number;
		latenessP50Ms: number;
		latenessP99Ms: number;
	} {
		const finished1m = this.#completions.sum(now, 60);
		return {
			checksPerSecond1s: this.#completions.rate(now, 1),
			checksPerSecond1m: this.#completions.rate(now, 60),
			timeoutRate1m: finished1m > 0 ? this.#timeouts.sum(now, 60) / finished1m : 0,
			errorRate1m: finished1m > 0 ? this.#failures.sum(now, 60) / finished1m : 0,
			latenessP50Ms: this.#lateness.percentile(50),
			latenessP99Ms: this.#lateness.percentile(99),
		};
	}

	/** The controller's view of the window since the last call, which starts a new window. */
	takeWindow(waiting: number, working: number): Omit<ControllerSignals, 'eventLoopDelayP99Ms' | 'cpuUtilisation'> {
		const window = {
			freshTimeoutRate: this.#windowCompleted > 0 ? this.#windowFreshTimeouts / this.#windowCompleted : 0,
			latenessP90Ms: this.#windowLateness.percentile(90),
			waiting,
			peakInFlight: this.#peakInFlight,
		};
		this.#windowCompleted = 0;
		this.#windowFreshTimeouts = 0;
		this.#windowLateness.clear();
		this.#peakInFlight = working;
		return window;
	}
}
