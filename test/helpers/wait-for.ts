import {setTimeout as delay} from 'node:timers/promises';

/** How `waitFor` and `waitForValue` poll. */
export type PollOptions = {
	/** Real time between two looks, ms. Default 10. */
	readonly everyMs?: number;
	/** Named in the error when the wait times out (a function: read then, e.g. the last frame). */
	readonly what?: string | (() => string);
};

/**
Polls `condition` every `everyMs` of real time until it holds; throws after `timeoutMs`. Waits for
the state that proves a claim, never for a guessed duration: the bound only matters when the state
never comes, so make it generous (a loaded machine is slow, not wrong).
*/
export async function waitFor(condition: () => boolean, timeoutMs: number, options: PollOptions = {}): Promise<void> {
	await waitForValue(async () => condition(), held => held, timeoutMs, options);
}

/**
Reads `read()` every `everyMs` of real time until `done` holds for its value, and resolves with that
value; throws `failure(last value)` after `timeoutMs`.
*/
export async function waitForValue<T>(
	read: () => Promise<T>,
	done: (value: T) => boolean,
	timeoutMs: number,
	options: PollOptions & {readonly failure?: (last: T) => string} = {},
): Promise<T> {
	const deadline = performance.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value)) {
			return value;
		}

		if (performance.now() > deadline) {
			const what = typeof options.what === 'function' ? options.what() : options.what;
			throw new Error(options.failure?.(value) ?? `${what ?? 'condition'} not met in time`);
		}

		await delay(options.everyMs ?? 10);
	}
}
