import type {DatabasePool} from 'slonik';
import {systemClock} from '../engine/types.js';
import {createMemoryOnlyRowQueue} from './durable-row-queue.js';
import {defaultTextLimits, toHealthcheckRow, type TextLimits} from './healthcheck-row.js';
import type {BatchedResultWriter, BatchedResultWriterOptions, ResultWriterStats} from './result-writer-types.js';
import {retryDelayMs} from './retry-delay.js';
import {createSiteResolver} from './site-resolver.js';
import {writeBatch} from './write-batch.js';
import {firstLine, isRowError} from './write-errors.js';

export type {BatchedResultWriter, BatchedResultWriterOptions, ResultWriterStats} from './result-writer-types.js';

/**
Creates a writer that stores results with one multi-row `INSERT ... SELECT * FROM unnest(...)` per
batch. A batch goes out when `maxBatchRows` rows are queued, when the oldest waited `maxBatchAgeMs`,
or on `flush`. A failed batch stays queued, in order, and is retried with capped exponential
backoff and jitter. Replays are harmless: `(website_fk, scheduled_at)` is unique and conflicts are
ignored, so a batch whose acknowledgement was lost can be sent again.
*/
export function createBatchedResultWriter(options: BatchedResultWriterOptions): BatchedResultWriter {
	if (!options.pool && !options.connect) {
		throw new TypeError('createBatchedResultWriter needs a pool or a connect function');
	}

	const maxBatchRows = Math.max(1, options.maxBatchRows ?? 1000);
	const maxBatchAgeMs = options.maxBatchAgeMs ?? 250;
	const clock = options.clock ?? systemClock;
	const policy = {initialMs: options.retryInitialMs ?? 250, maxMs: options.retryMaxMs ?? 10_000, random: options.random ?? Math.random};
	const textLimits: TextLimits = {...defaultTextLimits, ...options.textLimits};
	const resolver = options.resolver ?? createSiteResolver();
	const notify = options.notify ?? (() => undefined);
	const queue = options.queue ?? createMemoryOnlyRowQueue();

	let {pool} = options;
	let prepared = !options.prepare;
	// Sequence numbers: rows enter in order and leave in order, so one counter each way suffices.
	let pushed = queue.size;
	let settled = 0;
	/** Rows up to this sequence number are due now (flush, age expiry, retry, a journal left behind). */
	let dueUntil = pushed;
	const waiters: Array<{target: number; resolve: () => void}> = [];
	const counts = {written: 0, batches: 0, failures: 0, dropped: 0};
	let state: ResultWriterStats['state'] = options.initialError === undefined ? 'connected' : 'retrying';
	let lastError = options.initialError === undefined ? undefined : firstLine(options.initialError);
	let failingSince = clock.now();
	let consecutiveFailures = 0;
	/** Shrinks (halves) while isolating a row the database rejects; grows back on success. */
	let batchLimit = maxBatchRows;
	let pumping = false;
	/** Rows of the batch the database is writing now: whether it commits is not known until it answers. */
	let writing = 0;
	let ageTimer: unknown;
	let retryTimer: unknown;
	let retryAt = 0;
	let closing: Promise<void> | undefined;
	let stopped = false;

	const settle = (count: number) => {
		queue.drop(count);
		settled += count;
		for (let index = waiters.length - 1; index >= 0; index--) {
			if (waiters[index]!.target <= settled) {
				waiters.splice(index, 1)[0]!.resolve();
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

	const retryLater = (error: unknown) => {
		if (stopped) {
			// Closed while the attempt ran (its files may be closed under it): nothing to retry.
			return;
		}

		counts.failures++;
		lastError = firstLine(error);
		if (state !== 'retrying') {
			failingSince = clock.now();
			// Only where they really are: a journal that cannot be written keeps nothing.
			const where = queue.directory && !queue.fault ? `the journal ${queue.directory}` : 'memory only';
			notify(`database write failed (${lastError}); results are kept in ${where} and retried with backoff`);
		}

		state = 'retrying';
		consecutiveFailures++;
		const delay = retryDelayMs(policy, consecutiveFailures);
		retryAt = clock.now() + delay;
		retryTimer = clock.setTimer(() => {
			retryTimer = undefined;
			dueUntil = Math.max(dueUntil, pushed);
			schedule();
		}, delay);
	};

	const connection = async (): Promise<DatabasePool> => {
		pool ??= await options.connect!();
		if (!prepared) {
			await options.prepare!(pool);
			prepared = true;
		}

		return pool;
	};

	const pump = async () => {
		try {
			const rows = queue;
			while (!stopped && rows.size > 0 && isDue()) {
				const fromDisk = rows.headOnDisk;
				let batch;
				let opened;
				let unresolved = 0;
				try {
					opened = await connection();
					batch = await rows.peek(Math.min(batchLimit, maxBatchRows));
				} catch (error) {
					retryLater(error);
					return;
				}

				writing = batch.length;
				try {
					({unresolved} = await writeBatch(opened, batch, resolver, {clock, timeoutMs: options.batchTimeoutMs ?? 60_000}));
				} catch (error) {
					writing = 0;
					if (stopped) {
						return;
					}

					if (!isRowError(error)) {
						retryLater(error);
						return;
					}

					counts.failures++;
					lastError = firstLine(error);
					if (batch.length > 1) {
						batchLimit = Math.ceil(batch.length / 2);
					} else {
						// Isolated: this one row can never be stored.
						counts.dropped++;
						settle(1);
					}

					continue;
				}

				writing = 0;
				if (stopped) {
					// Closed meanwhile: the journal keeps these rows; replaying them later is harmless.
					return;
				}

				if (state === 'retrying') {
					notify(`database reachable again after ${Math.round((clock.now() - failingSince) / 1000)} s; storing ${rows.size} waiting results`);
				}

				counts.written += batch.length - unresolved;
				counts.dropped += unresolved;
				counts.batches++;
				state = fromDisk ? 'replaying' : 'connected';
				consecutiveFailures = 0;
				batchLimit = Math.min(maxBatchRows, batchLimit * 2);
				settle(batch.length);
				if (rows.size > 0) {
					// PGlite runs on this thread: let timers and I/O in between batches.
					await new Promise(resolve => {
						setImmediate(resolve);
					});
				}
			}

			if (!stopped && state === 'replaying' && !rows.headOnDisk) {
				state = 'connected';
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

	const stop = () => {
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
	};

	const closeQueue = async () => {
		await queue.close();
		state = 'closed';
	};

	// A journal left behind is due at once.
	schedule();

	return {
		push(result) {
			try {
				// A site id <= 0 is a site the database has not numbered yet: its rows go by URL.
				const known = result.siteId >= 1;
				const provisional = Number.isInteger(result.siteId) && result.siteId <= 0 && typeof result.url === 'string' && result.url !== '';
				const row = closing || stopped || !(known || provisional) ? undefined : toHealthcheckRow(result, textLimits, known ? result.siteId : 0);
				if (!row) {
					counts.dropped++;
					return;
				}

				const pending = {url: result.url, row, site: known ? undefined : options.siteDefinitions?.get(result.url)};
				queue.push(pending);
				pushed++;
				schedule();
			} catch {
				counts.dropped++;
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
					await Promise.race([flushed, new Promise<void>(resolve => {
						timer = clock.setTimer(resolve, timeoutMs);
					})]);
					clock.clearTimer(timer);
				}

				stop();
				await options.beforeClose?.();
				await closeQueue();
			})();
			return closing;
		},
		async closeNow() {
			stop();
			await options.beforeClose?.();
			await closeQueue();
			return queue.journaled;
		},
		onFull: listener => queue.onFull(listener),
		rememberSites(sites) {
			resolver.remember(sites);
		},
		journalDirectory: queue.directory,
		stats() {
			return {
				queued: queue.size,
				journaled: queue.journaled,
				writing,
				memoryOnly: queue.memoryOnly,
				...(queue.fault && {journalFault: queue.fault.reason}),
				full: queue.full,
				journalBytes: queue.journalBytes,
				...counts,
				lost: queue.lost,
				state,
				...(lastError !== undefined && {lastError}),
				...(retryTimer !== undefined && {nextRetryInMs: Math.max(0, retryAt - clock.now())}),
			};
		},
	};
}
