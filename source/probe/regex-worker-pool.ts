import {isMarkedAsUntransferable, Worker} from 'node:worker_threads';
import {systemClock, type Clock} from '../engine/types.js';
import type {RegexJob, RegexReady, RegexReply} from './regex-worker.js';

/** Options for `createRegexWorkerPool`; every field has a default. */
export type RegexWorkerPoolOptions = {
	/** Threads at most; each is started only when a job finds no idle one. Default 1. */
	readonly size?: number;
	/** Longest one match may run before its thread is terminated and replaced, ms. Default 5,000. */
	readonly timeoutMs?: number;
	/** Times `timeoutMs`. Default real time; tests pass a fake clock to decide when a match runs out. */
	readonly clock?: Pick<Clock, 'setTimer' | 'clearTimer'>;
};

/** How a job ended: the verdict, or why there is none. Never a rejection. */
export type RegexWorkerResult =
	| {readonly matched: boolean}
	| {readonly error: string};

/** Counters for tests and diagnostics. */
export type RegexWorkerPoolStats = {
	/** Threads started since creation, replacements included. */
	readonly threadsStarted: number;
	/** Threads alive now (busy or idle). */
	readonly threadsAlive: number;
	/** Jobs waiting for a thread. */
	readonly queued: number;
	/** Matches stopped by `timeoutMs`. */
	readonly timeouts: number;
};

/** A small pool of threads that run RE2 matches off the event loop. */
export type RegexWorkerPool = {
	/**
	Matches `pattern` anywhere in the UTF-8 `body`, first come first served.

	Takes ownership of `body`: when the view spans its whole `ArrayBuffer`, that buffer is transferred
	to the thread (and detached here) instead of copied. Resolves with an `error` on timeout, abort,
	a thread failure or `close()`.
	*/
	run(pattern: string, body: Uint8Array, signal?: AbortSignal): Promise<RegexWorkerResult>;
	/** Snapshot of the counters. */
	readonly stats: RegexWorkerPoolStats;
	/** Ends every job with an error and terminates every thread; later jobs end at once. */
	close(): Promise<void>;
};

type Job = {
	readonly id: number;
	readonly pattern: string;
	readonly body: Uint8Array;
	readonly signal: AbortSignal | undefined;
	readonly onAbort: () => void;
	readonly resolve: (result: RegexWorkerResult) => void;
};

type Slot = {
	readonly worker: Worker;
	job: Job | undefined;
	timer: unknown;
	retired: boolean;
};

/**
Creates the pool. No thread starts until the first job; idle threads are `unref()`'d so they never
keep the process alive, while a busy one is referenced until its job ends (at most `timeoutMs`),
so a caller awaiting a verdict is not cut short by the process exiting under it.
*/
export function createRegexWorkerPool(options: RegexWorkerPoolOptions = {}): RegexWorkerPool {
	const size = Math.max(1, Math.floor(options.size ?? 1));
	const timeoutMs = options.timeoutMs ?? 5000;
	const clock = options.clock ?? systemClock;
	const clearTimer = (slot: Slot) => {
		if (slot.timer !== undefined) {
			clock.clearTimer(slot.timer);
			slot.timer = undefined;
		}
	};

	const entry = workerEntry();
	const slots = new Set<Slot>();
	const queue: Job[] = [];
	let nextId = 0;
	let threadsStarted = 0;
	let timeouts = 0;
	let closed = false;

	const settle = (job: Job, result: RegexWorkerResult) => {
		job.signal?.removeEventListener('abort', job.onAbort);
		job.resolve(result);
	};

	/** Takes a thread out of service; its job, if any, ends with `message`. Resolves when the thread has exited. */
	const retire = async (slot: Slot, message: string): Promise<void> => {
		if (slot.retired) {
			return;
		}

		slot.retired = true;
		slots.delete(slot);
		clearTimer(slot);
		const {job} = slot;
		slot.job = undefined;
		// Terminating is the only way to stop a synchronous match.
		const exited = slot.worker.terminate();
		if (job) {
			settle(job, {error: message});
		}

		pump();
		await exited;
	};

	const spawn = (): Slot => {
		const worker = new Worker(entry.url, {execArgv: entry.execArgv, name: 'webmon-tui regex'});
		worker.unref();
		threadsStarted++;
		const slot: Slot = {worker, job: undefined, timer: undefined, retired: false};
		worker.on('message', (reply: RegexReply | RegexReady) => {
			if ('ready' in reply) {
				// Loading the thread (~50 ms, more under tsx) is not the match's fault: its time starts now.
				if (slot.job) {
					startTimer(slot);
				}

				return;
			}

			const {job} = slot;
			if (reply.id !== job?.id) {
				return;
			}

			clearTimer(slot);
			slot.job = undefined;
			worker.unref();
			settle(job, 'error' in reply ? {error: `regex match failed: ${reply.error}`} : {matched: reply.matched});
			pump();
		});
		worker.on('error', (error: unknown) => {
			void retire(slot, `regex worker failed: ${error instanceof Error ? error.message : String(error)}`);
		});
		worker.on('exit', code => {
			void retire(slot, `regex worker exited with code ${code}`);
		});
		slots.add(slot);
		return slot;
	};

	const startTimer = (slot: Slot) => {
		clearTimer(slot);
		slot.timer = clock.setTimer(() => {
			slot.timer = undefined;
			timeouts++;
			void retire(slot, `regex match exceeded ${timeoutMs} ms`);
		}, timeoutMs);
	};

	const start = (slot: Slot, job: Job) => {
		slot.job = job;
		slot.worker.ref();
		// Armed even before the thread is ready, so that a thread that never starts cannot hang the job.
		startTimer(slot);
		const body = ownedBody(job.body);
		const message: RegexJob = {id: job.id, pattern: job.pattern, body};
		try {
			slot.worker.postMessage(message, [body.buffer]);
		} catch (error) {
			// Not expected after `ownedBody`; the thread is untouched, so it stays in service.
			clearTimer(slot);
			slot.job = undefined;
			slot.worker.unref();
			settle(job, {error: `regex match failed: ${error instanceof Error ? error.message : String(error)}`});
		}
	};

	/** Hands queued jobs to idle threads, starting threads up to `size`. */
	function pump() {
		while (queue.length > 0 && !closed) {
			let idle: Slot | undefined;
			for (const slot of slots) {
				if (!slot.job) {
					idle = slot;
					break;
				}
			}

			if (!idle && slots.size >= size) {
				return;
			}

			const job = queue.shift()!;
			try {
				idle ??= spawn();
			} catch (error) {
				// E.g. the worker file is missing from a broken install: the job fails, the caller does not.
				settle(job, {error: `regex worker failed to start: ${error instanceof Error ? error.message : String(error)}`});
				continue;
			}

			start(idle, job);
		}
	}

	const run = async (pattern: string, body: Uint8Array, signal?: AbortSignal): Promise<RegexWorkerResult> => {
		if (closed) {
			return {error: 'regex matcher is closed'};
		}

		if (signal?.aborted) {
			return {error: 'regex match aborted'};
		}

		return new Promise<RegexWorkerResult>(resolve => {
			const job: Job = {
				id: nextId++,
				pattern,
				body,
				signal,
				resolve,
				onAbort() {
					const queuedAt = queue.indexOf(job);
					if (queuedAt !== -1) {
						queue.splice(queuedAt, 1);
						settle(job, {error: 'regex match aborted'});
						return;
					}

					for (const slot of slots) {
						if (slot.job === job) {
							void retire(slot, 'regex match aborted');
						}
					}
				},
			};
			signal?.addEventListener('abort', job.onAbort, {once: true});
			queue.push(job);
			pump();
		});
	};

	return {
		run,
		get stats() {
			return {threadsStarted, threadsAlive: slots.size, queued: queue.length, timeouts};
		},
		async close() {
			closed = true;
			for (const job of queue.splice(0)) {
				settle(job, {error: 'regex matcher is closed'});
			}

			await Promise.all([...slots].map(async slot => retire(slot, 'regex matcher is closed')));
		},
	};
}

/** A view that owns its whole buffer, so that the buffer can be transferred without detaching anything else. */
function ownedBody(body: Uint8Array): Uint8Array<ArrayBuffer> {
	// A view on part of a buffer (small Buffers share Node's pool, which Node marks untransferable)
	// is copied: transferring would detach the neighbours' bytes too.
	const {buffer} = body;
	if (buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === buffer.byteLength && !isMarkedAsUntransferable(buffer)) {
		return body as Uint8Array<ArrayBuffer>;
	}

	// Not `body.slice()`: on a Buffer that is another view of the same memory.
	return new Uint8Array(body);
}

/** The worker's file: compiled `.js` beside this module in dist/, or the `.ts` source under tsx. */
function workerEntry(): {url: URL; execArgv: string[] | undefined} {
	if (import.meta.url.endsWith('.ts')) {
		// A thread does not inherit tsx's loader by default in every runner; name it, resolved from here.
		return {url: new URL('regex-worker.ts', import.meta.url), execArgv: ['--import', import.meta.resolve('tsx')]};
	}

	return {url: new URL('regex-worker.js', import.meta.url), execArgv: undefined};
}
