import {setTimeout as delay} from 'node:timers/promises';

/** Polls `condition` every `everyMs` of real time until it holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, everyMs = 10): Promise<void> {
	const deadline = performance.now() + timeoutMs;
	while (!condition()) {
		if (performance.now() > deadline) {
			throw new Error('condition not met in time');
		}

		// eslint-disable-next-line no-await-in-loop -- polling
		await delay(everyMs);
	}
}
