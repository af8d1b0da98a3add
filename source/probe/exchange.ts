import type {Dispatcher} from 'undici';
import undiciSymbols from 'undici/lib/core/symbols.js';
import {epochNow} from './epoch-now.js';

/** One request of a check (a redirect is another). */
export type ExchangeRequest = {
	readonly origin: string;
	readonly path: string;
	readonly headers: Readonly<Record<string, string>>;
};

/** How much of a response's body to read, decided once its status and headers are known. */
export type BodyPolicy = {
	/** Decoded bytes read at most; past them the exchange ends with `truncated` and the rest is not downloaded. */
	readonly maxBytes: number;
	/** Whether the bytes are kept (for the regex), or only counted. */
	readonly keep: boolean;
};

/** What came back. */
export type ExchangeResult = {
	readonly statusCode: number;
	readonly headers: Readonly<Record<string, string | string[] | undefined>>;
	/** The body read (up to the policy's `maxBytes`) when the policy kept it. */
	readonly body: Uint8Array | undefined;
	readonly truncated: boolean;
	/** `performance.now()` once the body was read. */
	readonly bodyReadAt: number;
};

/** A request under way: its result, and a way to end it early (the check's deadline, or Ctrl-C). */
export type Exchange = {
	/** Rejects with undici's error, or with the reason given to `stop`. */
	readonly result: Promise<ExchangeResult>;
	/** Ends the exchange now with `reason`, whether the request is queued, connecting or reading. */
	stop(reason: Error): void;
};

/**
Undici's hook for taking a request out of a pool's queue while it waits for a connection (how its
own `request()` honours an abort signal before the request starts). Internal to undici, so used only
if present: without it a stopped request still ends at once for the caller, and is aborted by its
handler the moment undici starts it.
*/
const queuedAbortKey = (undiciSymbols as {kQueuedAbort?: unknown}).kQueuedAbort;
const kQueuedAbort = typeof queuedAbortKey === 'symbol' ? queuedAbortKey : undefined;

/** Whether a stopped request leaves undici's queue at once (a test watches for an undici that drops the hook). */
export const leavesQueueWhenStopped = kQueuedAbort !== undefined;

/**
Sends one GET through `dispatcher` with a handler of our own, not `request()`: no body stream, no
async iterator, no AbortController and no async resource per check. Measured on one thread paced at
900 requests/s over the bench fleet: 0.22 ms of CPU per request against 0.36-0.37 through `request()`.
`onSent` gets the moment the request head is written to a connected socket (see `epochNow`).
*/
export function exchange(
	dispatcher: Dispatcher,
	request: ExchangeRequest,
	policy: (statusCode: number, headers: Readonly<Record<string, string | string[] | undefined>>) => BodyPolicy,
	onSent: (epochMs: number) => void,
): Exchange {
	let handler!: ExchangeHandler;
	const result = new Promise<ExchangeResult>((resolve, reject) => {
		handler = new ExchangeHandler({resolve, reject, policy, onSent});
	});
	const options: Dispatcher.DispatchOptions & Record<symbol, unknown> = {
		origin: request.origin,
		path: request.path,
		method: 'GET',
		headers: request.headers,
	};
	if (kQueuedAbort) {
		options[kQueuedAbort] = (cancel: (reason: Error) => void) => {
			handler.cancelQueued = cancel;
		};
	}

	try {
		dispatcher.dispatch(options, handler);
	} catch (error) {
		handler.onResponseError(undefined, error as Error);
	}

	return {
		result,
		stop(reason) {
			handler.stop(reason);
		},
	};
}

type HandlerHooks = {
	readonly resolve: (result: ExchangeResult) => void;
	readonly reject: (error: Error) => void;
	readonly policy: (statusCode: number, headers: Readonly<Record<string, string | string[] | undefined>>) => BodyPolicy;
	readonly onSent: (epochMs: number) => void;
};

/** Collects one response. Settles once: later calls from undici (an abort's error) are ignored. */
class ExchangeHandler implements Dispatcher.DispatchHandler {
	cancelQueued: ((reason: Error) => void) | undefined;
	readonly #hooks: HandlerHooks;
	#controller: Dispatcher.DispatchController | undefined;
	#stopReason: Error | undefined;
	#settled = false;
	#statusCode = 0;
	#headers: Readonly<Record<string, string | string[] | undefined>> = {};
	#policy: BodyPolicy = {maxBytes: 0, keep: false};
	#chunks: Uint8Array[] = [];
	#size = 0;

	constructor(hooks: HandlerHooks) {
		this.#hooks = hooks;
	}

	onRequestStart(controller: Dispatcher.DispatchController): void {
		if (this.#stopReason) {
			controller.abort(this.#stopReason);
			return;
		}

		this.#controller = controller;
		this.cancelQueued = undefined;
		this.#hooks.onSent(epochNow());
	}

	onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
		this.#statusCode = statusCode;
		this.#headers = headers;
		this.#policy = this.#hooks.policy(statusCode, headers);
	}

	onResponseData(controller: Dispatcher.DispatchController, chunk: Uint8Array): void {
		if (this.#settled) {
			return;
		}

		const room = this.#policy.maxBytes - this.#size;
		if (chunk.byteLength > room) {
			if (this.#policy.keep) {
				this.#chunks.push(chunk.subarray(0, room));
			}

			this.#size += room;
			this.#finish(true);
			// The rest is neither downloaded nor inflated; the connection is closed.
			controller.abort(new Error('body limit reached'));
			return;
		}

		// Without a pattern only the length matters; keeping the bytes would waste memory.
		if (this.#policy.keep) {
			this.#chunks.push(chunk);
		}

		this.#size += chunk.byteLength;
	}

	onResponseEnd(): void {
		this.#finish(false);
	}

	onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
		if (this.#settled) {
			return;
		}

		this.#settled = true;
		this.#chunks = [];
		this.#hooks.reject(this.#stopReason ?? error);
	}

	stop(reason: Error): void {
		if (this.#settled) {
			return;
		}

		this.#stopReason = reason;
		this.onResponseError(undefined, reason);
		if (this.#controller) {
			this.#controller.abort(reason);
		} else {
			this.cancelQueued?.(reason);
		}
	}

	#finish(truncated: boolean): void {
		if (this.#settled) {
			return;
		}

		this.#settled = true;
		const body = this.#policy.keep ? concatBytes(this.#chunks, this.#size) : undefined;
		this.#chunks = [];
		this.#hooks.resolve({statusCode: this.#statusCode, headers: this.#headers, body, truncated, bodyReadAt: performance.now()});
	}
}

/** Joins chunks into a view over a buffer of its own (Buffer.concat may hand out a slice of a shared pool). */
function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}

	return bytes;
}
