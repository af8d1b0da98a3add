import type {ConcurrencyController} from './concurrency-controller.js';
import type {PauseOutcome, PauseStore} from './pause-store.js';
import type {SiteView} from './site-state.js';
import type {CheckResult, Clock, Probe} from './types.js';

/** Process measurements the engine cannot take itself (it has no `process`); the CLI injects them. */
export type ProcessSignals = {
	readonly eventLoopDelayP99Ms: number;
	readonly cpuUtilisation: number;
};

/** Fleet-wide numbers, recomputed for each snapshot. */
export type EngineTotals = {
	readonly sites: number;
	readonly up: number;
	readonly down: number;
	readonly paused: number;
	readonly pending: number;
	/** Origins (scheme, host, port) the sites are on: one lane each. */
	readonly hosts: number;
	readonly inFlight: number;
	/**
	Of `inFlight`, checks out for over a second: waiting on their servers, they cost no CPU and hold
	no slot of `limit`, which bounds the others.
	*/
	readonly stalledInFlight: number;
	/** Due checks that have not started. */
	readonly waiting: number;
	/** Of `waiting`, those held back by their host's connection cap rather than the global limit. */
	readonly waitingOnHosts: number;
	readonly suspectInFlight: number;
	readonly limit: number;
	readonly limitReason: string;
	readonly started: number;
	readonly completed: number;
	/** Slots that ended without asking the site (every no-verdict row). */
	readonly skipped: number;
	/** Of `skipped`: still waiting for a global slot when the next slot came (`client_busy`). */
	readonly skippedClientBusy: number;
	/** Of `skipped`: still waiting under the host's cap when the next slot came (`host_busy`). */
	readonly skippedHostBusy: number;
	/**
	Slots that passed while scheduling was held because storage could keep no more results: no check
	was made and no row written for them.
	*/
	readonly heldSlots: number;
	readonly checksPerSecond1s: number;
	readonly checksPerSecond1m: number;
	/** Fraction of checks finished in the last minute that timed out. */
	readonly timeoutRate1m: number;
	/** Fraction of checks finished in the last minute that failed for any reason. */
	readonly errorRate1m: number;
	/** Lateness of recent checks: from the grid slot to the moment the request was written to the socket. */
	readonly latenessP50Ms: number;
	readonly latenessP99Ms: number;
	readonly eventLoopDelayP99Ms: number;
	readonly cpuUtilisation: number;
	readonly startedAt: number;
	readonly now: number;
};

/** Immutable picture of the engine; a new object whenever something changed. */
export type EngineSnapshot = {
	readonly totals: EngineTotals;
	/** One view per known site (in the order added, until a removal swaps the last site into the gap). */
	readonly sites: readonly SiteView[];
};

/**
What a front end needs from a running monitor: read the snapshot, hear about changes, send commands.
The in-process `CheckEngine` implements it; so does the aggregate over worker shards.
*/
export type MonitorHandle = {
	/** The current immutable snapshot. Same object until something changes. */
	snapshot(): EngineSnapshot;
	/** Calls `listener` after changes (possibly very often; consumers coalesce). Returns the unsubscribe. */
	onChange(listener: () => void): () => void;
	/**
	Pauses sites: the only way a site's pause changes at run time. The snapshot shows it at once; the
	monitor's pause store, if it has one, keeps it beyond the run. Unknown ids and sites already paused
	are left alone. Resolves with where the pause was kept; rejects when storing it failed (the pause
	holds for this run all the same).
	*/
	pause(ids: Iterable<number>): Promise<PauseOutcome>;
	/** Resumes paused sites, as `pause` pauses them. */
	resume(ids: Iterable<number>): Promise<PauseOutcome>;
	/** Checks a site now, outside its grid; false when it is already running or unknown. */
	checkNow(id: number): boolean;
};

/** A check handed to the prober: what a supervisor needs to account for it if its thread dies. */
export type StartedCheck = {
	readonly siteId: number;
	readonly url: string;
	readonly scheduledAt: number;
	readonly requestedAt: number;
};

export type EngineEvents = {
	/** A check finished (or a slot was skipped). Every scheduled slot that ran or was skipped emits exactly one. */
	result: [CheckResult];
	/** A check was handed to the prober; its `result` follows. */
	started: [StartedCheck];
	/** Every site has had `checksPerSite` slots and nothing is in flight. */
	done: [];
	/** Something in the snapshot changed; consumers coalesce. */
	change: [];
};

export type EngineOptions = {
	readonly probe: Probe;
	readonly clock?: Clock;
	/** Checks per site before the engine reports `done`; undefined or <= 0 = forever. */
	readonly checksPerSite?: number;
	/** Total deadline per check, ms (passed to the probe). */
	readonly timeoutMs?: number;
	readonly controller?: ConcurrencyController;
	/** Sampled once per tick for the controller. */
	readonly measure?: () => ProcessSignals;
	/** Controller period, ms. */
	readonly tickMs?: number;
	/**
	Checks in flight at most, those waiting on silent servers included (each holds a socket until its
	deadline); the controller's limit bounds only the working ones (see `CheckRunner`). Default: none.
	*/
	readonly maxInFlight?: number;
	/**
	Share of `maxInFlight`, and of each host's connections, that sites whose last check timed out may
	hold. Dead sites keep a socket for the whole timeout; without a bound, a fleet or a host with many
	of them takes every one the live sites need.
	*/
	readonly suspectShare?: number;
	/** Consecutive timeouts after which a site runs in the bounded suspect share. */
	readonly suspectAfterTimeouts?: number;
	/** Connections to one origin at once (the prober must allow at least as many). Default `defaultMaxPerHost`. */
	readonly maxPerHost?: number;
	/** Slots due within this step start together (see `SlotScheduler`), ms. Default 0: each at its own moment. */
	readonly slotBatchMs?: number;
	/** Keeps pauses beyond the run (storage); none in a shard worker, whose main thread keeps them. */
	readonly pauseStore?: PauseStore | undefined;
	/**
	Whether `takeChanges` is used (a shard worker's publications): only then does the engine record
	which sites changed. Default false.
	*/
	readonly publishesChanges?: boolean;
};

/** Where a restarted engine picks up (a shard worker that replaced one that died). */
export type ResumePoint = {
	/** Epoch ms: each site's first slot is its next grid slot at or after this, never one in the past. */
	readonly at: number;
	/** Slots each site already had (stored rows), so `checksPerSite` still holds over both lives. */
	readonly slotsUsed?: ReadonlyMap<number, number>;
};
