/**
Calls for many probes waiting on one caller's `AbortSignal`, through one listener on it.

The engine gives every probe in flight the same signal (its stop), and Node's EventTarget keeps a
signal's listeners in a list that `addEventListener` and `removeEventListener` walk from the start:
with a listener per probe, each check paid for every other check in flight (1.5% of a worker's CPU
in the profile at ~100 in flight, more with thousands). Here a signal gets one listener, the first
time it is seen, and the probes waiting on it sit in a Set.
*/
export type AbortFanout = {
	/**
	Calls `onAbort` once when `signal` aborts, unless the returned function was called first. An
	already aborted signal calls nothing: the caller checks `signal.aborted` before it starts.
	*/
	watch(signal: AbortSignal, onAbort: () => void): () => void;
};

export function createAbortFanout(): AbortFanout {
	const waiting = new WeakMap<AbortSignal, Set<() => void>>();
	return {
		watch(signal, onAbort) {
			let callbacks = waiting.get(signal);
			if (!callbacks) {
				const set = new Set<() => void>();
				callbacks = set;
				waiting.set(signal, set);
				signal.addEventListener('abort', () => {
					const called = [...set];
					set.clear();
					for (const callback of called) {
						callback();
					}
				}, {once: true});
			}

			const set = callbacks;
			set.add(onAbort);
			return () => {
				set.delete(onAbort);
			};
		},
	};
}
