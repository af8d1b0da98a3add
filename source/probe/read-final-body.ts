import type {Dispatcher} from 'undici';
import {regexMatchStatus, type ProbeOutcome} from '../engine/types.js';
import type {RegexMatcher} from './regex-matcher.js';
import type {CompiledPattern} from './safe-regex.js';

/** An outcome without its timing, which `probe` adds once at the end. */
export type Finding = Omit<ProbeOutcome, 'responseTimeMs'> & {
	/** `performance.now()` when the body was read, so the regex's own time is not counted. */
	readonly bodyReadAt?: number;
};

/** What `readFinalBody` needs besides the response. */
export type BodyCheck = {
	readonly pattern: CompiledPattern | undefined;
	readonly matcher: RegexMatcher;
	readonly maxBodyBytes: number;
	/** The caller's signal: a second Ctrl-C also stops a match waiting for or running on a thread. */
	readonly signal: AbortSignal | undefined;
};

/** Reads up to `maxBodyBytes` of the decoded body and matches the pattern on it. */
export async function readFinalBody(response: Dispatcher.ResponseData, {pattern, matcher, maxBodyBytes, signal}: BodyCheck): Promise<Finding> {
	const chunks: Uint8Array[] = [];
	let size = 0;
	let truncated = false;
	for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
		const room = maxBodyBytes - size;
		if (chunk.byteLength > room) {
			chunks.push(chunk.subarray(0, room));
			size += room;
			truncated = true;
			// Leaving the loop destroys the stream, so the rest is never downloaded or inflated.
			break;
		}

		// Without a pattern only the length matters; keeping the bytes would waste memory.
		if (pattern) {
			chunks.push(chunk);
		}

		size += chunk.byteLength;
	}

	const bodyReadAt = performance.now();
	const tooLarge = `body is larger than ${maxBodyBytes} bytes`;
	if (!pattern) {
		return {
			httpStatusCode: response.statusCode,
			regexMatchStatus: regexMatchStatus.notChecked,
			bodyReadAt,
			...(truncated && {errorKind: 'body_too_large', errorMessage: `${tooLarge}; the rest was not read`}),
		};
	}

	// The matcher decodes (lossily, so Latin-1 or a cut multi-byte character can still match) and
	// takes the bytes: a body of its own ArrayBuffer moves to a thread without a copy.
	const match = await matcher.match(pattern, concatBytes(chunks, size), {signal});
	if (match.errorMessage !== undefined) {
		// The response itself was fine, so its status stays; the kind says the verdict is missing.
		return {
			httpStatusCode: response.statusCode,
			regexMatchStatus: match.regexMatchStatus,
			bodyReadAt,
			errorKind: truncated ? 'body_too_large' : 'other',
			errorMessage: truncated ? `${tooLarge}; ${match.errorMessage}` : match.errorMessage,
		};
	}

	return {
		httpStatusCode: response.statusCode,
		regexMatchStatus: match.regexMatchStatus,
		bodyReadAt,
		...(truncated && {errorKind: 'body_too_large', errorMessage: `${tooLarge}; the regex was matched on the first ${maxBodyBytes} bytes`}),
	};
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
