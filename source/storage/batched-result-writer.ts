import type {DatabasePool} from 'slonik';
import {systemClock, type CheckResult, type Clock} from '../engine/types.js';
import {
	defaultTextLimits,
	insertHealthchecks,
	toHealthcheckRow,
	type HealthcheckRow,
	type TextLimits,
} from './healthcheck-row.js';
import {firstLine, isRowError} from './write-errors.js';
import {createMemoryRowQueue, type RowQueue} from './row-queue.js';

/** What the writer has done so far. */
export type ResultWriterStats = {
	/** Rows waiting, including a batch in flight. */
	readonly queued: number;
	/** Rows the database acknowledged (replayed duplicates included: they are ignored, not lost). */
	readonly written: number;
	/** Successful batch statements. */
	readonly batches: number;
	/** Failed batch statements. */
	readonly failures: number;
	/** Results that cannot be stored (invalid site id or time, a row the schema rejects, pushed after close). */
	readonly dropped: number;
	/** `retrying` while the database is failing and rows wait for the next attempt. */
	readonly state: 'connected' | 'retrying';
	/** First line of the last failure. */
	readonly lastError?: string;
	/** While retrying: ms until the next attempt. */
	readonly nextRetryInMs?: number;
};

/** Queues check results and stores them in batches. */
export type BatchedResultWriter = {
	/** Queues a result. Never blocks and never throws. */
	push(result: CheckResult): void;
	/** Resolves when every result pushed so far is stored (or dropped as unstorable). */
	flush(): Promise<void>;
	/**
	Flushes, then stops the timers. With `timeoutMs`, stops after that long even if the database
	is still failing; what was not stored stays counted in `stats().queued`.
	*/
	close(options?: {timeoutMs?: number}): Promise<void>;
	stats(): ResultWriterStats;
};

/** Options for `createBatchedResultWriter`. */
export type BatchedResultWriterOptions = {
	readonly pool: DatabasePool;
	/** Most rows per INSERT. Default 1,000. */
	readonly maxBatchRows?: number;
	/** A partial batch is written once its rows waited this long. Default 250 ms. */
	readonly maxBatchAgeMs?: number;
	readonly clock?: Clock;
	/** First retry delay after a failed batch; doubles per failure. Default 250 ms. */
	readonly retryInitialMs?: number;
	/** Cap on the retry delay. Default 30 s. */
	readonly retryMaxMs?: number;
	/** Jitter source in [0, 1). Default Math.random. */
	readonly random?: () => number;
	readonly textLimits?: Partial<TextLimits>;
};

async function yieldToEventLoop(): Promise<void> {
	await new Promise(resolve => {
		setImmediate(resolve);
	});
}

/**
Creates a writer that stores results with one multi-row `INSERT ... SELECT * FROM unnest(...)` per
batch. A batch goes out when `maxBatchRows` rows are queued, when the oldest waited `maxBatchAgeMs`,
or on `flush`. A failed batch stays queued, in order, and is retried with capped exponential
backoff and jitter. Replays are harmless: `(website_fk, scheduled_at)` is unique and conflicts are
ignored, so a batch whose acknowledgement was lost can be sent again.
*/
export function createBatchedResultWriter(options: BatchedResultWriterOptions): BatchedResultWriter {
	const {pool} = options;
	const maxBatchRows = Math.max(1, options.maxBatchRows ?? 1000);
	const maxBatchAgeMs = options.maxBatchAgeMs ?? 250;
	const clock = options.clock ?? systemClock;
	const retryInitialMs = options.retryInitialMs ?? 250;
	const retryMaxMs = options.retryMaxMs ?? 30_000;
	const random = options.random ?? Math.random;
	const textLimits: TextLimits = {...defaultTextLimits, ...options.textLimits};
	const queue: RowQueue<HealthcheckRow> = createMemoryRowQueue();

	// Sequence numbers: rows enter in order and leave in order, so one counter each way suffices.
	let pushed = 0;
	let settled = 0;
	/** Rows up to this sequence number are due now (flush, age expiry, retry). */
	let dueUntil = 0;
	const waiters: Array<{target: number; resolve: () => void}> = [];

	let written = 0;
	let batches = 0;
	let failures = 0;
	let dropped = 0;
	let state: ResultWriterStats['state'] = 'connected';
	let lastError: string | undefined;
	let consecutiveFailures = 0;
	/** Shrinks (halves) while isolating a row the database rejects; grows back on success. */
	let batchLimit = maxBatchRows;

	let pumping = false;
	let ageTimer: unknown;
	let retryTimer: unknown;
	let retryAt = 0;
	let closing: Promise<void> | undefined;
	let stopped = false;

	const settle = (count: number) => {
		queue.drop(count);
		settled += count;
		for (let index = waiters.length - 1; index >= 0; index--) {
			const waiter = waiters[index]!;
			if (waiter.target <= settled) {
				waiters.splice(index, 1);
				waiter.resolve();
			}
		}
	};

	const isDue = () => queue.size >= maxBatchRows || settled < dueUntil;

	const schedule = () => {
		if (pumping || retryTimer !== undefined || stopped || queue.size === 0) {
			return;
		}

		if (isDue()) {
			if (ageTimer !== undefined) {
				clock.clearTimer(ageTimer);
				ageTimer = undefined;
			}

			pumping = true;
			queueMicrotask(() => {
				void pump();
			});
		} else {
			ageTimer ??= clock.setTimer(() => {
				ageTimer = undefined;
				dueUntil = Math.max(dueUntil, pushed);
				schedule();
			}, maxBatchAgeMs);
		}
	};

	/** Returns true when the pump may go on at once (the batch was split or a bad row dropped). */
	const onFailure = (error: unknown, batchSize: number): boolean => {
		failures++;
		lastError = firstLine(error);
		if (isRowError(error)) {
			if (batchSize > 1) {
				batchLimit = Math.ceil(batchSize / 2);
			} else {
				// Isolated: this one row can never be stored.
				dropped++;
				settle(1);
			}

			return true;
		}

		state = 'retrying';
		consecutiveFailures++;
		const ceiling = Math.min(retryMaxMs, retryInitialMs * (2 ** Math.min(30, consecutiveFailures - 1)));
		// "Equal jitter": at least half the delay, so instances do not hammer a recovering server.
		const delay = (ceiling / 2) + (random() * ceiling / 2);
		retryAt = clock.now() + delay;
		retryTimer = clock.setTimer(() => {
			retryTimer = undefined;
			dueUntil = Math.max(dueUntil, pushed);
			schedule();
		}, delay);
		return false;
	};

	const pump = async () => {
		try {
			while (!stopped && queue.size > 0 && isDue()) {
				const batch = queue.peek(Math.min(batchLimit, maxBatchRows));
				try {
					// eslint-disable-next-line no-await-in-loop
					await pool.query(insertHealthchecks(batch));
				} catch (error) {
					if (onFailure(error, batch.length)) {
						continue;
					}

					return;
				}

				written += batch.length;
				batches++;
				state = 'connected';
				consecutiveFailures = 0;
				batchLimit = Math.min(maxBatchRows, batchLimit * 2);
				settle(batch.length);
				if (queue.size > 0) {
					// PGlite runs on this thread: let timers and I/O in between batches.
					// eslint-disable-next-line no-await-in-loop
					await yieldToEventLoop();
				}
			}
		} finally {
			pumping = false;
			schedule();
		}
	};

	const flush = async (): Promise<void> => {
		const target = pushed;
		if (settled >= target || stopped) {
			return;
		}

		dueUntil = Math.max(dueUntil, target);
		const done = new Promise<void>(resolve => {
			waiters.push({target, resolve});
		});
		schedule();
		await done;
	};

	return {
		push(result) {
			try {
				const row = closing ? undefined : toHealthcheckRow(result, textLimits);
				if (!row) {
					dropped++;
					return;
				}

				queue.push(row);
				pushed++;
				schedule();
			} catch {
				dropped++;
			}
		},
		flush,
		async close(closeOptions = {}) {
			closing ??= (async () => {
				const flushed = flush();
				const {timeoutMs} = closeOptions;
				if (timeoutMs === undefined) {
					await flushed;
				} else {
					let timer: unknown;
					await Promise.race([
						flushed,
						new Promise<void>(resolve => {
							timer = clock.setTimer(resolve, timeoutMs);
						}),
					]);
					clock.clearTimer(timer);
				}

				stopped = true;
				for (const timer of [ageTimer, retryTimer]) {
					if (timer !== undefined) {
						clock.clearTimer(timer);
					}
				}

				ageTimer = undefined;
				retryTimer = undefined;
				// Nothing will settle these any more; do not leave callers hanging.
				for (const waiter of waiters.splice(0)) {
					waiter.resolve();
				}
			})();
			return closing;
		},
		stats() {
			return {
				queued: queue.size,
				written,
				batches,
				failures,
				dropped,
				state,
				...(lastError === undefined ? {} : {lastError}),
				...(retryTimer === undefined ? {} : {nextRetryInMs: Math.max(0, retryAt - clock.now())}),
			};
		},
	};
}
