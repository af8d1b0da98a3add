/** How the writer spaces its attempts while the database fails. */
export type RetryPolicy = {
	/** First delay, ms; doubles per consecutive failure. */
	readonly initialMs: number;
	/** Cap on the delay, ms. */
	readonly maxMs: number;
	/** Jitter source in [0, 1). */
	readonly random: () => number;
};

/**
The delay before attempt `failures + 1`: capped exponential backoff with "equal jitter", at least half
the window, so instances that lost the same server do not hammer it in step when it returns.
*/
export function retryDelayMs(policy: RetryPolicy, failures: number): number {
	const ceiling = Math.min(policy.maxMs, policy.initialMs * (2 ** Math.min(30, Math.max(0, failures - 1))));
	return (ceiling / 2) + (policy.random() * ceiling / 2);
}
