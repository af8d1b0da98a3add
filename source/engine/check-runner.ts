import {setMaxListeners} from 'node:events';
import type {ConcurrencyController} from './concurrency-controller.js';
import type {HostLanes, WaitingCheck} from './host-lanes.js';
import {failureStatus, regexMatchStatus, type Clock, type Probe, type ProbeOutcome, type ProbeRequest} from './types.js';

/** What the runner asks of the engine around each check; it knows nothing of sites itself. */
export type RunnerHooks = {
	/** `entry` leaves its lane now: the site is running; returns what to ask the prober. */
	readonly start: (entry: WaitingCheck, requestedAt: number) => Pick<ProbeRequest, 'url' | 'regex'>;
	/**
	The check's outcome, before its slot is released. Returns whether its host showed distress (see
	`HostLanes.finished`).
	*/
	readonly outcome: (entry: WaitingCheck, outcome: ProbeOutcome, requestedAt: number) => boolean;
	/** After the slot was released and the next checks started. */
	readonly settled: () => void;
};

export type CheckRunnerOptions = {
	readonly probe: Probe;
	readonly clock: Clock;
	readonly lanes: HostLanes;
	readonly controller: ConcurrencyController;
	/** Share of the limit that suspects (sites whose last check timed out) may hold, at least one. */
	readonly suspectShare: number;
	/** Total deadline per check, ms (passed to the probe). */
	readonly timeoutMs: number | undefined;
	readonly hooks: RunnerHooks;
};

/**
Starts due checks from the host lanes while fewer than the controller's limit are in flight (and
suspects within their share), hands each to the prober, and releases its slot when it ends: the
engine's p-queue, with `pause` (stop), `idle` and `abort`.
*/
export class CheckRunner {
	readonly #options: CheckRunnerOptions;
	readonly #abort = new AbortController();
	#inFlight = 0;
	/** Checks in flight by the second they started (`requestedAt` / 1000, floored): a few entries. */
	readonly #inFlightBySecond = new Map<number, number>();
	#suspectInFlight = 0;
	#stopped = false;
	#idleWaiters: Array<() => void> = [];

	constructor(options: CheckRunnerOptions) {
		this.#options = options;
		// Every probe in flight listens to this one signal: thousands of listeners are expected here.
		setMaxListeners(0, this.#abort.signal);
	}

	get inFlight(): number {
		return this.#inFlight;
	}

	get suspectInFlight(): number {
		return this.#suspectInFlight;
	}

	/** Checks in flight that started before `time` (to the second, rounding toward fewer). */
	inFlightSince(time: number): number {
		const before = Math.floor(time / 1000);
		let count = 0;
		for (const [second, started] of this.#inFlightBySecond) {
			if (second < before) {
				count += started;
			}
		}

		return count;
	}

	/** Checks waiting for the runner's own limit (not held back by their host's caps). */
	get waitingForSlot(): number {
		return this.#options.lanes.waiting - this.#options.lanes.waitingOnHosts;
	}

	/** Starts what may start now. */
	pump(): void {
		if (this.#stopped) {
			return;
		}

		const {lanes, controller, suspectShare} = this.#options;
		const {limit} = controller;
		const suspectCap = Math.max(1, Math.floor(limit * suspectShare));
		while (this.#inFlight < limit) {
			const entry = lanes.take(this.#suspectInFlight < suspectCap);
			if (!entry) {
				break;
			}

			this.#run(entry);
		}
	}

	/** Starts nothing more; checks in flight go on. */
	stop(): void {
		this.#stopped = true;
	}

	/** Aborts checks in flight (a forced shutdown); each still ends with an outcome. */
	abort(): void {
		this.#abort.abort();
	}

	/** Resolves when nothing is in flight. */
	async idle(): Promise<void> {
		if (this.#inFlight === 0) {
			return;
		}

		await new Promise<void>(resolve => {
			this.#idleWaiters.push(resolve);
		});
	}

	#run(entry: WaitingCheck): void {
		const {clock, probe, hooks, timeoutMs} = this.#options;
		const requestedAt = clock.now();
		this.#inFlight++;
		const second = Math.floor(requestedAt / 1000);
		this.#inFlightBySecond.set(second, (this.#inFlightBySecond.get(second) ?? 0) + 1);
		if (entry.standing === 'suspect') {
			this.#suspectInFlight++;
		}

		const request = hooks.start(entry, requestedAt);
		void probe({...request, timeoutMs, signal: this.#abort.signal})
			.catch((error: unknown): ProbeOutcome => ({
				// The prober promises never to throw; if it does, the slot still ends as a row.
				httpStatusCode: failureStatus.other,
				responseTimeMs: clock.now() - requestedAt,
				regexMatchStatus: regexMatchStatus.notChecked,
				errorKind: 'other',
				errorMessage: error instanceof Error ? error.message : String(error),
			}))
			.then(outcome => {
				this.#finish(entry, outcome, requestedAt);
			});
	}

	#finish(entry: WaitingCheck, outcome: ProbeOutcome, requestedAt: number): void {
		const {lanes, controller, hooks} = this.#options;
		const distress = hooks.outcome(entry, outcome, requestedAt);
		this.#inFlight--;
		const second = Math.floor(requestedAt / 1000);
		const left = this.#inFlightBySecond.get(second)! - 1;
		if (left === 0) {
			this.#inFlightBySecond.delete(second);
		} else {
			this.#inFlightBySecond.set(second, left);
		}

		if (entry.standing === 'suspect') {
			this.#suspectInFlight--;
		}

		lanes.finished(entry, distress);
		// Slow start grows only a limit that binds: all its slots were in use when this one came free.
		// Checks a host's caps hold back count as waiting too, so without this a fleet held back by
		// its hosts grew the limit by one per check (106,424 after a minute of 3,000 checks a second
		// on 30 hosts, with 200 in flight).
		if (outcome.httpStatusCode !== failureStatus.timeout && this.#inFlight + 1 >= controller.limit) {
			controller.completed?.(this.waitingForSlot);
		}

		this.pump();
		if (this.#inFlight === 0) {
			const waiters = this.#idleWaiters;
			this.#idleWaiters = [];
			for (const resolve of waiters) {
				resolve();
			}
		}

		hooks.settled();
	}
}
