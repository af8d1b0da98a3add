import {regexMatchStatus, type Clock, type RegexMatchStatus} from '../engine/types.js';
import {createRegexWorkerPool, type RegexWorkerPoolStats} from './regex-worker-pool.js';
import type {CompiledPattern} from './safe-regex.js';

/** Options for `createRegexMatcher`; every field has a default. */
export type RegexMatcherOptions = {
	/**
	Largest body matched on the calling thread, bytes, for a pattern of up to 16 RE2 instructions
	(`(?i)lorem\s+ipsum` has 14); a bigger pattern gets proportionally fewer bytes. 0 sends every
	non-empty body to a thread. Default 4 KiB.
	*/
	readonly inlineMaxBytes?: number;
	/** Threads matching bigger bodies; started on first need. Default 1. */
	readonly threads?: number;
	/** Longest one threaded match may run before its thread is replaced and the result is "not checked", ms. Default 5,000. */
	readonly timeoutMs?: number;
	/** Times `timeoutMs`. Default real time; tests pass a fake clock to decide when a match runs out. */
	readonly clock?: Pick<Clock, 'setTimer' | 'clearTimer'>;
};

/** A verdict in `ProbeOutcome` terms. */
export type RegexMatchResult = {
	/** 1 matched, 0 did not, 2 not checked (then `errorMessage` says why). */
	readonly regexMatchStatus: RegexMatchStatus;
	/** Set only when the match could not be completed, e.g. `regex match exceeded 5000 ms`. */
	readonly errorMessage?: string;
};

/** Counters for tests and diagnostics. */
export type RegexMatcherStats = RegexWorkerPoolStats & {
	/** Matches run on the calling thread. */
	readonly inlineMatches: number;
	/** Matches sent to a thread (finished or not). */
	readonly threadedMatches: number;
};

/** Matches user patterns on bodies without letting a slow match stall the event loop. */
export type RegexMatcher = {
	/**
	Matches `pattern` anywhere in the UTF-8 `body` (decoded lossily). Never rejects.

	Takes ownership of `body`: a body that goes to a thread has its `ArrayBuffer` transferred (and
	detached here) when the view spans all of it. `signal` ends a waiting or running match early.
	*/
	match(pattern: CompiledPattern, body: Uint8Array, options?: {readonly signal?: AbortSignal}): Promise<RegexMatchResult>;
	/** Snapshot of the counters. */
	readonly stats: RegexMatcherStats;
	/** Terminates every thread; matches in progress end as not checked. */
	close(): Promise<void>;
};

/*
Re2js is linear in the body but not cheap. Measured on Node 24: its lazy DFA scans 1 MiB in ~5 ms
for `(a+)+$`, or for `(?i)lorem\s+ipsum` when nothing matches. When nearly every byte reaches a new
DFA state (`[ab]*a[ab]{30}$` on random a/b text) 64 KiB take ~25 ms, about 90 ns per byte per
program instruction; bigger programs are worse: `[ab]*a[ab]{120}$` takes 0.2 to 1 s per MiB, and
`(.{0,50}a){20}$` 15 s per MiB and 130 ms on just 1 KiB. So the inline budget counts bytes times
instructions: 4 KiB of a 16-instruction pattern stayed under ~6 ms on such adversarial text (under
0.2 ms on ordinary text). A thread adds only ~0.05 ms per match once started (and ~0.03 ms of event
loop time), so little is lost by sending the rest there; health endpoints, whose bodies are small,
never start one.
*/
const referenceProgramSize = 16;
const decoder = new TextDecoder('utf-8', {fatal: false});

/**
Creates a matcher: small bodies with small patterns are matched inline, the rest on a lazily started
pool of worker threads (`createRegexWorkerPool`) with a per-match timeout.
*/
export function createRegexMatcher(options: RegexMatcherOptions = {}): RegexMatcher {
	const inlineBudget = (options.inlineMaxBytes ?? 4 * 1024) * referenceProgramSize;
	const pool = createRegexWorkerPool({size: options.threads, timeoutMs: options.timeoutMs, clock: options.clock});
	let inlineMatches = 0;
	let threadedMatches = 0;

	return {
		async match(pattern, body, {signal} = {}) {
			if (pattern.literal) {
				inlineMatches++;
				return verdict(Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes(pattern.literal));
			}

			if (body.byteLength * Math.max(pattern.programSize, referenceProgramSize) <= inlineBudget) {
				inlineMatches++;
				try {
					return verdict(pattern.test(decoder.decode(body)));
				} catch (error) {
					return notChecked(`regex match failed: ${error instanceof Error ? error.message : String(error)}`);
				}
			}

			threadedMatches++;
			const result = await pool.run(pattern.source, body, signal);
			return 'error' in result ? notChecked(result.error) : verdict(result.matched);
		},
		get stats() {
			return {...pool.stats, inlineMatches, threadedMatches};
		},
		async close() {
			await pool.close();
		},
	};
}

function verdict(matched: boolean): RegexMatchResult {
	return {regexMatchStatus: matched ? regexMatchStatus.ok : regexMatchStatus.fail};
}

function notChecked(errorMessage: string): RegexMatchResult {
	return {regexMatchStatus: regexMatchStatus.notChecked, errorMessage};
}
