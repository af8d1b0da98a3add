import {Worker} from 'node:worker_threads';
import type {EngineTotals, StartedCheck} from '../engine/engine-types.js';
import type {SiteView} from '../engine/site-state.js';
import {regexMatchStatus, type CheckResult, type SiteSpec} from '../engine/types.js';
import {carryOver, noPastCounters, type PastCounters} from './merge-totals.js';
import type {FromWorker, ToWorker, WorkerInit} from './worker-protocol.js';

/** What a supervisor needs from the monitor that owns it. */
export type ShardSupervisorOptions = {
	readonly index: number;
	/** Everything a worker is started with but its sites. */
	readonly init: Omit<WorkerInit, 'sites'>;
	/** The shard's sites as of now (pauses included): what a (re)started worker monitors. */
	readonly sites: () => SiteSpec[];
	/** Slots each of the shard's sites has used so far, or undefined when sites run forever. */
	readonly slotsUsed: () => Array<[number, number]> | undefined;
	/** A first start's worker has loaded; the monitor answers with `begin(anchor)` once every shard has. */
	readonly onReady: () => void;
	/** Results (crash rows included) and changed views, in order. */
	readonly onUpdate: (results: readonly CheckResult[], views: readonly SiteView[]) => void;
	readonly onDone: () => void;
	readonly warn: (message: string) => void;
	/** Restart delay after the first crash in a row, ms; doubles per crash up to `maxRestartDelayMs`. */
	readonly restartDelayMs?: number;
	readonly maxRestartDelayMs?: number;
	/** The worker's entry; default the shard worker beside this file (tests give a fixture). */
	readonly script?: URL;
};

/** A worker that ran this long before dying counts as healthy: the next crash restarts it at once again. */
const healthyRunMs = 60_000;

/**
Runs one shard worker and replaces it when it dies. A crash must lose nothing that can be known:
each check the dead worker had in flight (it reports every check it starts) ends as a
`worker_crash` row, and the new worker resumes from the present on each site's grid, with the slots
already used, instead of replaying every slot since the run began. Restarts back off (0.25 s,
doubling, at most 30 s) so a worker that dies at once cannot spin.
*/
export class ShardSupervisor {
	readonly #options: ShardSupervisorOptions;
	#worker: Worker | undefined;
	/** Checks the current worker started and has not reported, by site (one per site at a time). */
	readonly #inFlight = new Map<number, StartedCheck>();
	readonly #past: PastCounters = noPastCounters();
	#totals: EngineTotals | undefined;
	#anchor: number | undefined;
	#spawnedAt = 0;
	#crashesInARow = 0;
	#restartTimer: NodeJS.Timeout | undefined;
	#stopping = false;
	#held = false;
	#stopWaiters: Array<() => void> = [];
	/** When a stopping worker that has not said `stopped` is terminated (epoch ms), and its timer. */
	#stopDeadline: {at: number; timer: NodeJS.Timeout} | undefined;
	#done = false;

	constructor(options: ShardSupervisorOptions) {
		this.#options = options;
	}

	/** The worker's last report; undefined before the first and right after a crash. */
	get totals(): EngineTotals | undefined {
		return this.#totals;
	}

	/** Counters of earlier lives, crash rows included. */
	get past(): PastCounters {
		return this.#past;
	}

	get done(): boolean {
		return this.#done;
	}

	/** Starts the first worker. */
	spawn(): void {
		const [script, scriptOptions] = workerScript(this.#options.script);
		const init: WorkerInit = {...this.#options.init, sites: this.#options.sites()};
		const worker = new Worker(script, {...scriptOptions, workerData: init});
		this.#worker = worker;
		this.#spawnedAt = Date.now();
		worker.on('message', (message: FromWorker) => {
			this.#onMessage(message);
		});
		worker.on('error', (error: Error) => {
			this.#options.warn(`shard ${this.#options.index} failed: ${error.stack ?? error.message}`);
		});
		worker.on('exit', code => {
			if (this.#worker === worker) {
				this.#onExit(code);
			}
		});
	}

	/** Starts checking on the grid anchored at `anchor` (epoch ms), shared by every shard. */
	begin(anchor: number): void {
		this.#anchor = anchor;
		this.post({type: 'start', anchor});
	}

	/** Holds scheduling or lets it go on, in this worker and in any that replaces it. */
	hold(held: boolean): void {
		this.#held = held;
		this.post({type: 'hold', held});
	}

	post(message: ToWorker): void {
		this.#worker?.postMessage(message);
	}

	/**
	Stops scheduling; resolves once the worker reported its last results and said so (or was already
	gone). A worker still silent after `withinMs` is wedged: it is terminated, and its checks in flight
	end as `worker_crash` rows like after any crash, so the caller never waits longer than that. A
	later call with a shorter bound (a forced stop) brings the deadline forward.
	*/
	async stop(withinMs: number): Promise<void> {
		clearTimeout(this.#restartTimer);
		if (!this.#worker) {
			this.#stopping = true;
			return;
		}

		const stopped = new Promise<void>(resolve => {
			this.#stopWaiters.push(resolve);
		});
		if (!this.#stopping) {
			this.#stopping = true;
			this.post({type: 'stop'});
		}

		this.#terminateAfter(withinMs);
		await stopped;
	}

	/** Ends the worker abruptly, as a crash would: what a wedged shard needs, and how tests crash one. */
	async kill(): Promise<void> {
		await this.#worker?.terminate();
	}

	#terminateAfter(withinMs: number): void {
		const at = Date.now() + withinMs;
		if (this.#stopDeadline && this.#stopDeadline.at <= at) {
			return;
		}

		clearTimeout(this.#stopDeadline?.timer);
		const timer = setTimeout(() => {
			this.#options.warn(`shard ${this.#options.index} did not stop within ${(withinMs / 1000).toFixed(1)} s; terminating it (its ${this.#inFlight.size} checks in flight are stored as worker_crash)`);
			void this.kill();
		}, withinMs);
		this.#stopDeadline = {at, timer};
	}

	#onMessage(message: FromWorker): void {
		switch (message.type) {
			case 'ready': {
				if (this.#held) {
					this.post({type: 'hold', held: true});
				}

				if (this.#anchor === undefined) {
					this.#options.onReady();
				} else {
					// A replacement joins the grid the others are on, from now: no past slot is replayed.
					this.post({type: 'start', anchor: this.#anchor, resumeAt: Date.now(), slotsUsed: this.#options.slotsUsed()});
				}

				break;
			}

			case 'update': {
				this.#totals = message.totals;
				for (const check of message.started) {
					this.#inFlight.set(check.siteId, check);
				}

				for (const result of message.results) {
					if (this.#inFlight.get(result.siteId)?.scheduledAt === result.scheduledAt) {
						this.#inFlight.delete(result.siteId);
					}
				}

				this.#options.onUpdate(message.results, message.views);
				break;
			}

			case 'done': {
				this.#done = true;
				this.#options.onDone();
				break;
			}

			case 'stopped': {
				this.#settleStop();
				break;
			}
		}
	}

	#onExit(code: number): void {
		this.#worker = undefined;
		const lost = this.#crashRows(code);
		this.#past.skipped += lost.length;
		if (this.#stopping) {
			// The last totals stay the shard's final word: its sites' states (up, down) do not change
			// after the stop. Dropping them made the final summary count those sites as pending.
			this.#reportLost(lost);
			this.#settleStop();
			return;
		}

		// A replacement starts its counters from zero: the dead worker's go to the past.
		carryOver(this.#past, this.#totals);
		this.#totals = undefined;
		this.#reportLost(lost);

		this.#crashesInARow = Date.now() - this.#spawnedAt >= healthyRunMs ? 1 : this.#crashesInARow + 1;
		const first = this.#options.restartDelayMs ?? 250;
		const delay = Math.min(this.#options.maxRestartDelayMs ?? 30_000, first * (2 ** (this.#crashesInARow - 1)));
		this.#options.warn(`shard ${this.#options.index} exited (code ${code}) with ${lost.length} checks in flight, stored as worker_crash; restarting it in ${(delay / 1000).toFixed(2)} s`);
		this.#done = false;
		this.#restartTimer = setTimeout(() => {
			this.spawn();
		}, delay);
	}

	#reportLost(lost: CheckResult[]): void {
		if (lost.length > 0) {
			this.#options.onUpdate(lost, []);
		}
	}

	/** One row per check the dead worker had in flight: its outcome is unknown, but it was made. */
	#crashRows(code: number): CheckResult[] {
		const now = Date.now();
		const rows = [...this.#inFlight.values()].map((check): CheckResult => ({
			...check,
			httpStatusCode: 0,
			responseTimeMs: now - check.requestedAt,
			regexMatchStatus: regexMatchStatus.notChecked,
			errorKind: 'worker_crash',
			errorMessage: `the worker thread running this check exited (code ${code}) before it finished`,
		}));
		this.#inFlight.clear();
		return rows;
	}

	#settleStop(): void {
		clearTimeout(this.#stopDeadline?.timer);
		this.#stopDeadline = undefined;
		const waiters = this.#stopWaiters;
		this.#stopWaiters = [];
		for (const resolve of waiters) {
			resolve();
		}
	}
}

/**
The worker's entry: `script` if given, else the shard worker, compiled `.js` beside this file or, when
this file runs as TypeScript (tests under tsx), the `.ts` source. A `.ts` entry is loaded through tsx.
*/
function workerScript(script?: URL): [URL, {execArgv?: string[]}] {
	const entry = script ?? new URL(import.meta.url.endsWith('.ts') ? 'shard-worker.ts' : 'shard-worker.js', import.meta.url);
	return [entry, entry.pathname.endsWith('.ts') ? {execArgv: ['--import', 'tsx']} : {}];
}
