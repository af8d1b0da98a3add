import type {Duplex} from 'node:stream';
import type {Dispatcher} from 'undici';

/** Epoch ms with sub-millisecond precision (Date.now() has whole milliseconds). */
export function epochNow(): number {
	return performance.timeOrigin + performance.now();
}

/**
Learns when a request is written to its connection: undici calls the handler's `onRequestStart`
right before it writes the request head to a connected socket (after DNS, TCP and TLS, and after any
wait for a free connection). That moment is when the site is really asked, so lateness is measured
from there, as the server would measure it. Requests are matched to their check by the check's own
abort signal, which every hop of the check carries.
*/
export function createSendTimeRecorder(): {
	/** Compose into the dispatcher. */
	interceptor: Dispatcher.DispatcherComposeInterceptor;
	/** Calls `onSent` with the time each request carrying `signal` is written. */
	watch(signal: AbortSignal, onSent: (epochMs: number) => void): void;
} {
	const watched = new WeakMap<AbortSignal, (epochMs: number) => void>();
	return {
		interceptor: dispatch => (options, handler) => {
			// `request()` passes its options, signal included, down to dispatch; the dispatch types omit it.
			const {signal} = options as {signal?: unknown};
			const onSent = signal instanceof AbortSignal ? watched.get(signal) : undefined;
			return dispatch(options, onSent ? new SendTimeHandler(handler, onSent) : handler);
		},
		watch(signal, onSent) {
			watched.set(signal, onSent);
		},
	};
}

/** Forwards every call to the wrapped handler; notes the moment the request starts on its socket. */
// Return values are passed through as undici's own DecoratorHandler does (the types say void).
class SendTimeHandler implements Dispatcher.DispatchHandler {
	readonly #handler: Dispatcher.DispatchHandler;
	readonly #onSent: (epochMs: number) => void;

	constructor(handler: Dispatcher.DispatchHandler, onSent: (epochMs: number) => void) {
		this.#handler = handler;
		this.#onSent = onSent;
	}

	onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
		this.#onSent(epochNow());
		return this.#handler.onRequestStart?.(controller, context);
	}

	onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, socket: Duplex): void {
		return this.#handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
	}

	onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
		return this.#handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
	}

	onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
		return this.#handler.onResponseData?.(controller, chunk);
	}

	onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
		return this.#handler.onResponseEnd?.(controller, trailers);
	}

	onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
		return this.#handler.onResponseError?.(controller, error);
	}

	onResponseStarted(): void {
		return this.#handler.onResponseStarted?.();
	}

	onRequestSent(): void {
		return this.#handler.onRequestSent?.();
	}
}
