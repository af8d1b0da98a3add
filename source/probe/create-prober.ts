import {readFileSync} from 'node:fs';
import {createSecureContext, type SecureContextOptions} from 'node:tls';
import {Agent, interceptors, type Dispatcher} from 'undici';
import {defaultMaxPerHost, regexMatchStatus, type ErrorKind, type Probe, type ProbeOutcome, type ProbeRequest} from '../engine/types.js';
import {createAbortFanout} from './abort-fanout.js';
import {classifyError, statusForKind, toSingleLine} from './classify-error.js';
import {createCachedLookup, type CachedLookupOptions} from './dns-cache.js';
import {exchange, type BodyPolicy, type Exchange, type ExchangeResult} from './exchange.js';
import {judgeFinalBody, type Finding} from './judge-final-body.js';
import {createRegexMatcher, type RegexMatcher} from './regex-matcher.js';
import {compilePattern, type CompiledPattern} from './safe-regex.js';
import {createSessionKeepingConnector} from './session-keeping-connector.js';

/** Options for `createProber`; every field has a default. */
export type ProberOptions = {
	/** TCP connect plus TLS handshake (and the DNS lookup before them), ms. Default 5,000. */
	readonly connectTimeoutMs?: number;
	/** From sending the request to the end of the response headers, ms. Default `totalTimeoutMs`. */
	readonly headersTimeoutMs?: number;
	/** Longest silence between two body chunks, ms. Default `totalTimeoutMs`. */
	readonly bodyTimeoutMs?: number;
	/** The whole check, redirects and body included, ms. Default 10,000. A shorter `ProbeRequest.timeoutMs` wins. */
	readonly totalTimeoutMs?: number;
	/** Decoded body bytes read for the regex; the rest is not downloaded. Default 1 MiB. */
	readonly maxBodyBytes?: number;
	/** Redirects followed before giving up with `too_many_redirects`. Default 10. */
	readonly maxRedirects?: number;
	/** Default `webmon-tui/<version> (+health check)`. */
	readonly userAgent?: string;
	/**
	Open connections per origin (scheme, host, port). Default `defaultMaxPerHost`. The engine keeps
	at most this many checks of one origin in flight, so a check never waits here for a connection.
	*/
	readonly connectionsPerOrigin?: number;
	/** TLS sessions kept for resumption (one per host name), so a reconnect skips the full handshake. Default 10,000. */
	readonly maxCachedSessions?: number;
	/** Offer HTTP/2 through ALPN. Default false: HTTP/1.1 as the predecessor spoke, one error vocabulary. */
	readonly allowH2?: boolean;
	/** Passed to `tls.connect`, e.g. `{ca}` to trust a test certificate. Replaces the default CAs when `ca` is set. */
	readonly tls?: Readonly<SecureContextOptions & {rejectUnauthorized?: boolean}>;
	/** DNS cache settings; the resolver can be replaced here. */
	readonly dns?: CachedLookupOptions;
	/** Bodies up to this size are matched on the event loop (for small patterns; see `RegexMatcherOptions`). Default 4 KiB. */
	readonly regexInlineMaxBytes?: number;
	/** Worker threads matching bigger bodies, started on first need. Default 1. */
	readonly regexThreads?: number;
	/** Longest one threaded match may run; then the result is "not checked". Default 5,000 ms. */
	readonly regexTimeoutMs?: number;
	/**
	The matcher, instead of one made from the `regex*` options; closed with the prober. Tests pass one
	to read its counters and to time its matches on a fake clock.
	*/
	readonly regexMatcher?: RegexMatcher;
};

/** A prober and the connection pool behind it. */
export type Prober = {
	/** Checks one URL. Always resolves, whatever the remote end does. */
	readonly probe: Probe;
	/** Waits for probes in flight (bounded by their deadlines), then closes every pooled connection and regex thread. */
	close(): Promise<void>;
};

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
// Redirect bodies are drained (not destroyed) so the connection stays reusable, but only this much.
const maxRedirectBodyBytes = 64 * 1024;

/** Why a probe's own AbortController fired; kept as state so classification never reads messages. */
type StopReason = 'deadline' | 'aborted';

/**
Creates the prober: one undici Agent shared by every site, with keep-alive, a per-origin connection
limit, TLS session resumption, a DNS cache, and decompression (gzip, deflate, br).

Outcomes: the final status when a response arrived (3xx without `Location` included), with the
regex matched on its decoded body, even for 4xx/5xx; otherwise 598 / 530 / 555 with an `errorKind`
(see `classifyError`) and `regexMatchStatus` 2, since no body was there to check.

A failure of one site cannot poison the others (the predecessor's lesson with a shared aiohttp
session): undici pools per origin, and every failure ends in a destroyed socket, not a shared state.
*/
export function createProber(options: ProberOptions = {}): Prober {
	const totalTimeoutMs = options.totalTimeoutMs ?? 10_000;
	const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
	const maxRedirects = options.maxRedirects ?? 10;
	const headers = {
		'user-agent': options.userAgent ?? defaultUserAgent(),
		accept: '*/*',
		'accept-encoding': 'gzip, deflate, br',
	};

	// Undici 8 offers h2 through ALPN unless told otherwise, in the connector as well as the client.
	const allowH2 = options.allowH2 ?? false;
	// One context for every connection: without it `tls.connect` builds a new one (and parses the CA
	// store) per handshake, 8% of the CPU of a 100,000-site HTTPS fleet in the profile.
	const {rejectUnauthorized, ...contextOptions} = options.tls ?? {};
	const secureContext = createSecureContext(contextOptions);
	const agent = new Agent({
		connections: options.connectionsPerOrigin ?? defaultMaxPerHost,
		// By default no phase timeout ends a check before its total deadline (`--timeout 60` must mean 60 s).
		headersTimeout: options.headersTimeoutMs ?? totalTimeoutMs,
		bodyTimeout: options.bodyTimeoutMs ?? totalTimeoutMs,
		allowH2,
		connect: createSessionKeepingConnector({
			...(rejectUnauthorized !== undefined && {rejectUnauthorized}),
			secureContext,
			allowH2,
			timeout: options.connectTimeoutMs ?? 5000,
			maxCachedSessions: options.maxCachedSessions ?? 10_000,
			lookup: createCachedLookup(options.dns),
		}),
	});
	// Error responses are decompressed too: a 500 page is still matched against the regex.
	const dispatcher = agent.compose(interceptors.decompress({skipErrorResponses: false}));
	// Matching a megabyte can take long enough to delay every other check's timers, so big bodies go to a thread.
	const matcher = options.regexMatcher ?? createRegexMatcher({
		inlineMaxBytes: options.regexInlineMaxBytes,
		threads: options.regexThreads,
		timeoutMs: options.regexTimeoutMs,
	});
	const inFlight = new Set<Promise<ProbeOutcome>>();
	const callerAborts = createAbortFanout();

	/** Follows redirects and reads the final body; throws only what `classifyError` understands, or what `hops.stop` was given. */
	const fetchOutcome = async (start: URL, pattern: CompiledPattern | undefined, hops: Hops, userSignal: AbortSignal | undefined): Promise<Finding> => {
		let url = start;
		const visited = new Set([url.href]);
		const policy = (statusCode: number, responseHeaders: Dispatcher.ResponseData['headers']): BodyPolicy => (
			redirectStatuses.has(statusCode) && responseHeaders.location !== undefined
				? {maxBytes: maxRedirectBodyBytes, keep: false}
				: {maxBytes: maxBodyBytes, keep: pattern !== undefined});
		for (let redirects = 0; ; redirects++) {
			const hop = {origin: url.origin, path: `${url.pathname}${url.search}`, headers};
			const response = await hops.send(onSent => exchange(dispatcher, hop, policy, onSent));
			const finalUrl = redirects > 0 ? url.href : undefined;
			const location = firstHeader(response.headers.location);
			if (!redirectStatuses.has(response.statusCode) || location === undefined) {
				return {...await judgeFinalBody(response, {pattern, matcher, maxBodyBytes, signal: userSignal}), finalUrl};
			}

			const next = URL.parse(location, url.href);
			if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
				return failure('bad_response', `redirect ${response.statusCode} to unsupported location ${JSON.stringify(location)}`, finalUrl);
			}

			next.hash = '';
			if (visited.has(next.href)) {
				return failure('redirect_loop', `redirect loop: ${url.href} -> ${next.href} was already visited`, next.href);
			}

			if (redirects >= maxRedirects) {
				return failure('too_many_redirects', `more than ${maxRedirects} redirects (next: ${next.href})`, url.href);
			}

			visited.add(next.href);
			url = next;
		}
	};

	const check = async (request: ProbeRequest): Promise<ProbeOutcome> => {
		const startedAt = performance.now();
		let sentAt: number | undefined;
		const finish = ({bodyReadAt, ...finding}: Finding): ProbeOutcome => ({
			...finding,
			responseTimeMs: Math.round(((bodyReadAt ?? performance.now()) - startedAt) * 1000) / 1000,
			sentAt: sentAt === undefined ? undefined : Math.round(sentAt * 1000) / 1000,
		});

		const url = URL.parse(request.url);
		if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
			return finish(failure('other', `not an http(s) URL: ${request.url}`));
		}

		let pattern: CompiledPattern | undefined;
		try {
			pattern = request.regex === undefined ? undefined : compilePattern(request.regex);
		} catch (error) {
			// Sources validate patterns up front; this only keeps the never-reject promise.
			return finish(failure('other', error instanceof Error ? error.message : String(error)));
		}

		if (request.signal?.aborted) {
			return finish(failure('other', 'aborted'));
		}

		let stopReason: StopReason | undefined;
		// The first hop's moment counts: redirects are the same check.
		const hops = new Hops(at => {
			sentAt ??= at;
		});
		const stop = (reason: StopReason) => {
			stopReason ??= reason;
			hops.stop(new Error(reason === 'deadline' ? 'deadline exceeded' : 'aborted'));
		};

		const deadlineMs = request.timeoutMs !== undefined && request.timeoutMs > 0 ? Math.min(request.timeoutMs, totalTimeoutMs) : totalTimeoutMs;
		const timer = setTimeout(stop, deadlineMs, 'deadline');
		const onCallerAbort = () => {
			stop('aborted');
		};

		const stopWatching = request.signal && callerAborts.watch(request.signal, onCallerAbort);
		try {
			const finding = await fetchOutcome(url, pattern, hops, request.signal);
			return finish(finding);
		} catch (error) {
			if (stopReason === 'deadline') {
				return finish(failure('timeout', `no complete response within ${deadlineMs} ms`));
			}

			if (stopReason === 'aborted') {
				return finish(failure('other', 'aborted'));
			}

			const classified = classifyError(error);
			return finish({...classified, regexMatchStatus: regexMatchStatus.notChecked});
		} finally {
			clearTimeout(timer);
			stopWatching?.();
		}
	};

	const probe: Probe = async (request: ProbeRequest) => {
		const outcome = check(request);
		inFlight.add(outcome);
		try {
			return await outcome;
		} finally {
			inFlight.delete(outcome);
		}
	};

	return {
		probe,
		async close() {
			// A probe past its body may still be matching; its verdict should not be cut off by the threads closing.
			await Promise.allSettled(inFlight);
			await agent.close();
			await matcher.close();
		},
	};
}

/** The exchanges of one check, one after another (redirects): `stop` ends the one under way and refuses the next. */
class Hops {
	readonly #onSent: (epochMs: number) => void;
	#current: Exchange | undefined;
	#stopped: Error | undefined;

	constructor(onSent: (epochMs: number) => void) {
		this.#onSent = onSent;
	}

	async send(start: (onSent: (epochMs: number) => void) => Exchange): Promise<ExchangeResult> {
		if (this.#stopped) {
			throw this.#stopped;
		}

		this.#current = start(this.#onSent);
		return this.#current.result;
	}

	stop(reason: Error): void {
		this.#stopped ??= reason;
		this.#current?.stop(reason);
	}
}

function failure(errorKind: ErrorKind, message: string, finalUrl?: string): Finding {
	return {
		httpStatusCode: statusForKind(errorKind),
		regexMatchStatus: regexMatchStatus.notChecked,
		errorKind,
		errorMessage: toSingleLine(message),
		finalUrl,
	};
}

function firstHeader(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

let userAgent: string | undefined;

function defaultUserAgent(): string {
	if (userAgent === undefined) {
		let version = '0.0.0';
		try {
			// Source and build both sit two levels below the package root.
			const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version?: unknown};
			if (typeof manifest.version === 'string') {
				version = manifest.version;
			}
		} catch {
			// A missing manifest only costs the version in the User-Agent.
		}

		userAgent = `webmon-tui/${version} (+health check)`;
	}

	return userAgent;
}
