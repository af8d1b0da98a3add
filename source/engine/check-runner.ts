import {setMaxListeners} from 'node:events';
import type {ConcurrencyController} from './concurrency-controller.js';
import type {HostLanes, WaitingCheck} from './host-lanes.js';
import {InFlightAges} from './in-flight-ages.js';
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
	/**
	Checks in flight at most, those waiting on their servers included: the user's `--max-concurrency`
	and what the process's open-files limit allows. Infinity for no bound.
	*/
	readonly maxInFlight: number;
	/** Share of `maxInFlight` that suspects (sites whose last check timed out) may hold, at least one. */
	readonly suspectShare: number;
	/** Total deadline per check, ms (passed to the probe). */
	readonly timeoutMs: number | undefined;
	readonly hooks: RunnerHooks;
};

/**
Starts due checks from the host lanes, hands each to the prober, and releases its slot when it ends:
the engine's p-queue, with `pause` (stop), `idle` and `abort`.

Two bounds, for two different costs:
- the controller's limit bounds the checks that are *working*: out for less than `stalledAfterMs`
  (see `InFlightAges`). A check costs CPU to connect, send, parse and match, not while its server
  is silent, and the limit exists to keep CPU and the event loop healthy. When checks waiting on
  silent servers counted against it, 10% of 100,000 sites hanging held slots for whole timeouts, a
  CPU cut shrank the slots left to the live sites, and the dead sites' checks (held to a quarter of
  that cut limit) queued for minutes: distinct-100k ended with 4,000 checks waiting, 47 in flight,
  late p99 200 s;
- `maxInFlight` bounds every check in flight, waiting ones included: each holds a socket (a file
  descriptor) until its deadline. Suspects may hold `suspectShare` of it, so a fleet where many
  sites hang cannot take every socket the process may open.
*/
export class CheckRunner {
	readonly #options: CheckRunnerOptions;
	readonly #abort = new AbortController();
	#inFlight = 0;
	readonly #ages = new InFlightAges();
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

	/** Checks in flight for less than `stalledAfterMs`: what the limit bounds. */
	get working(): number {
		return this.#inFlight - this.#ages.stalled(this.#options.clock.now());
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

		const {lanes, controller, maxInFlight, suspectShare} = this.#options;
		const suspectCap = Math.max(1, Math.floor(maxInFlight * suspectShare));
		let room = Math.min(controller.limit - this.working, maxInFlight - this.#inFlight);
		while (room > 0) {
			const entry = lanes.take(this.#suspectInFlight < suspectCap);
			if (!entry) {
				break;
			}

			this.#run(entry);
			room--;
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
		this.#ages.add(requestedAt);
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
		this.#ages.remove(requestedAt);

		if (entry.standing === 'suspect') {
			this.#suspectInFlight--;
		}

		lanes.finished(entry, distress);
		// Slow start grows only a limit that binds: all its slots were in use when this one came free.
		// Checks a host's caps hold back count as waiting too, so without this a fleet held back by
		// its hosts grew the limit by one per check (106,424 after a minute of 3,000 checks a second
		// on 30 hosts, with 200 in flight).
		if (outcome.httpStatusCode !== failureStatus.timeout && this.working + 1 >= controller.limit) {
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
