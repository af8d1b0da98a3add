import {regexMatchStatus, type ProbeOutcome} from '../engine/types.js';
import type {ExchangeResult} from './exchange.js';
import type {RegexMatcher} from './regex-matcher.js';
import type {CompiledPattern} from './safe-regex.js';

/** An outcome without its timing, which `probe` adds once at the end. */
export type Finding = Omit<ProbeOutcome, 'responseTimeMs'> & {
	/** `performance.now()` when the body was read, so the regex's own time is not counted. */
	readonly bodyReadAt?: number;
};

/** What `judgeFinalBody` needs besides the response. */
export type BodyCheck = {
	readonly pattern: CompiledPattern | undefined;
	readonly matcher: RegexMatcher;
	readonly maxBodyBytes: number;
	/** The caller's signal: a second Ctrl-C also stops a match waiting for or running on a thread. */
	readonly signal: AbortSignal | undefined;
};

/**
Judges the final response: the regex on its body (read by `exchange` up to `maxBodyBytes`), or only
its size when there is no pattern.
*/
export async function judgeFinalBody(response: ExchangeResult, {pattern, matcher, maxBodyBytes, signal}: BodyCheck): Promise<Finding> {
	const {statusCode, truncated, bodyReadAt, body} = response;
	const tooLarge = `body is larger than ${maxBodyBytes} bytes`;
	if (!pattern || !body) {
		return {
			httpStatusCode: statusCode,
			regexMatchStatus: regexMatchStatus.notChecked,
			bodyReadAt,
			...(truncated && {errorKind: 'body_too_large', errorMessage: `${tooLarge}; the rest was not read`}),
		};
	}

	// The matcher decodes (lossily, so Latin-1 or a cut multi-byte character can still match) and
	// takes the bytes: a body of its own ArrayBuffer moves to a thread without a copy.
	const match = await matcher.match(pattern, body, {signal});
	if (match.errorMessage !== undefined) {
		// The response itself was fine, so its status stays; the kind says the verdict is missing.
		return {
			httpStatusCode: statusCode,
			regexMatchStatus: match.regexMatchStatus,
			bodyReadAt,
			errorKind: truncated ? 'body_too_large' : 'other',
			errorMessage: truncated ? `${tooLarge}; ${match.errorMessage}` : match.errorMessage,
		};
	}

	return {
		httpStatusCode: statusCode,
		regexMatchStatus: match.regexMatchStatus,
		bodyReadAt,
		...(truncated && {errorKind: 'body_too_large', errorMessage: `${tooLarge}; the regex was matched on the first ${maxBodyBytes} bytes`}),
	};
}
