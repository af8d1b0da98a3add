/**
The engine's vocabulary. Everything here is plain data: no React, no sockets, no SQL.
The edges (probe, storage, sources) implement the interfaces declared at the bottom.
*/

/** A site to monitor, as the engine sees it. */
export type SiteSpec = {
	/** `website.website_id`; unique within a run. */
	readonly id: number;
	/** Normalised URL (`website.url_uq`), e.g. `https://example.com:443/path`. */
	readonly url: string;
	/** Seconds between scheduled checks. Positive; fractions allowed. */
	readonly intervalSeconds: number;
	/** The user's pattern (RE2 syntax), or undefined when the body is not checked. */
	readonly regex?: string | undefined;
	/**
	The pause the site starts with (as stored in `website.paused`): paused sites stay known but are not
	scheduled. Read once, when the site is added; from then on the monitor's `pause` and `resume` own
	the site's pause, and its snapshot shows it.
	*/
	readonly paused?: boolean | undefined;
};

/**
Why a check failed, named from undici's error `code` (never from message text).
`undefined` (stored as NULL) when the check got an HTTP response.
*/
export type ErrorKind =
	| 'dns'
	| 'refused'
	| 'reset'
	| 'connect_timeout'
	| 'headers_timeout'
	| 'body_timeout'
	| 'timeout'
	| 'tls'
	| 'redirect_loop'
	| 'too_many_redirects'
	| 'body_too_large'
	| 'bad_response'
	| 'closed'
	| 'unreachable'
	| 'skipped'
	| 'client_busy'
	| 'host_busy'
	| 'worker_crash'
	| 'other';

/**
Kinds of rows that are not a verdict on the site: the slot ended without the site being asked, or
the answer was lost on our side. Stored with status 0; they never make a site up or down.
- `skipped`: the site's previous check was still running when this slot came (the site is slower than its interval).
- `client_busy`: the check was still waiting for one of webmon-tui's slots when the next slot came.
- `host_busy`: the check was still waiting under its host's connection cap when the next slot came.
- `worker_crash`: the check was in flight in a shard worker that died; its outcome is unknown.
*/
export const noVerdictKinds: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['skipped', 'client_busy', 'host_busy', 'worker_crash']);

/** Whether `result` says something about the site (false for skipped slots and crashed checks). */
export function isVerdict(result: {readonly errorKind?: ErrorKind | undefined}): boolean {
	return result.errorKind === undefined || !noVerdictKinds.has(result.errorKind);
}

/**
Connections to one origin at once unless told otherwise (`--max-per-host`). Browsers open six per
host; a monitor needs more to check a thousand paths of one API on time (33 checks/s at 30 s
intervals, answered in 300 ms, keep ten connections busy), and sixteen stays well below what servers
and rate limiters treat as abuse.
*/
export const defaultMaxPerHost = 16;

/**
The CLI's slot step (`CheckEngine`'s `slotBatchMs`): checks due within 20 ms start together, at
most 20 ms after their slot, a fiftieth of the 1 s lateness budget. On the 20,000-site bench (one
worker, 926 checks/s) a check cost 0.85 ms of CPU with no step, 0.79 with 10 ms and 0.75 with 25.
*/
export const defaultSlotBatchMs = 20;

/** `healthcheck.regex_match_status`, as the predecessor defined it. */
export const regexMatchStatus = {
	fail: 0,
	ok: 1,
	notChecked: 2,
} as const;

export type RegexMatchStatus = (typeof regexMatchStatus)[keyof typeof regexMatchStatus];

/** Status codes kept from the predecessor for failures without an HTTP response. */
export const failureStatus = {
	/** The check timed out (connect, headers, body or total deadline). */
	timeout: 598,
	/** The host name did not resolve. */
	dns: 530,
	/** Any other failure. */
	other: 555,
} as const;

/** What one probe of one URL found. The prober never throws for a remote failure; it returns this. */
export type ProbeOutcome = {
	/** HTTP status of the final response, or 598 / 530 / 555 (see `failureStatus`). */
	readonly httpStatusCode: number;
	/** Milliseconds from the start of the request to the end of the body read (or the failure). */
	readonly responseTimeMs: number;
	readonly regexMatchStatus: RegexMatchStatus;
	/** Set when there was no usable response (or the body could not be read). */
	readonly errorKind?: ErrorKind | undefined;
	/** Human-readable detail. Untrusted: may contain remote text; sanitise before display. */
	readonly errorMessage?: string | undefined;
	/** Last redirect target when redirects were followed. */
	readonly finalUrl?: string | undefined;
	/**
	Epoch ms when the request (its first hop) was written to a connected socket: the moment the site
	is really asked, and what lateness is measured from. Undefined when no request was written
	(DNS, connect or TLS failure, a skipped slot).
	*/
	readonly sentAt?: number | undefined;
};

/** One finished (or skipped) check: what the writer stores and the front ends show. */
export type CheckResult = ProbeOutcome & {
	readonly siteId: number;
	readonly url: string;
	/** Epoch ms of the grid slot this check belongs to (the idempotency key with siteId). */
	readonly scheduledAt: number;
	/** Epoch ms when the engine handed the check to the prober (or recorded the skip). */
	readonly requestedAt: number;
};

/** Options for one probe. */
export type ProbeRequest = {
	readonly url: string;
	/** Compiled pattern from the site, if any. */
	readonly regex?: string | undefined;
	/** Aborts the probe (shutdown). The outcome is still returned. */
	readonly signal?: AbortSignal | undefined;
	/** Total deadline for this check, ms; overrides the prober's default when shorter. */
	readonly timeoutMs?: number | undefined;
};

/** The engine's view of the prober (source/probe implements it). */
export type Probe = (request: ProbeRequest) => Promise<ProbeOutcome>;

/** Time, injected so tests can fake it. */
export type Clock = {
	/** Epoch milliseconds. */
	now(): number;
	/** Calls `callback` after `ms`; returns a handle for `clearTimer`. */
	setTimer(callback: () => void, ms: number): unknown;
	clearTimer(handle: unknown): void;
};

/** The real clock. */
export const systemClock: Clock = {
	now: () => Date.now(),
	setTimer(callback, ms) {
		return setTimeout(callback, Math.max(0, ms));
	},
	clearTimer(handle) {
		clearTimeout(handle as NodeJS.Timeout);
	},
};
