import {InputError} from '../errors.js';
import {compilePattern} from '../probe/safe-regex.js';
import {ownString} from '../text/own-string.js';
import {quoteUntrusted} from '../text/sanitize.js';
import {maxRegexInstructions, maxRegexLength} from './input-limits.js';

/**
The longest accepted check interval: 7 days. Far beyond any sensible health check, and well under
the 2^31 - 1 ms (about 24.8 days) that Node's timers can wait; a longer delay silently fires after
1 ms, which would turn a "rarely" site into a busy loop.
*/
export const maxIntervalSeconds = 7 * 24 * 60 * 60;

const decimalNumber = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
Reads an interval field: a whole number of seconds from 1 to `maxIntervalSeconds`, written in plain
digits. The database column is an integer and the predecessor used `int()`, so `2.5`, `1e2` and
`0x10` are refused rather than rounded or reinterpreted.

@throws {InputError} e.g. `interval "abc" is not a positive number`.
*/
export function parseIntervalSeconds(raw: string): number {
	// Quoted only on failure: a million-row file calls this a million times.
	const quoted = () => quoteUntrusted(raw);
	if (/^\d+$/.test(raw)) {
		const seconds = Number(raw);
		if (seconds === 0) {
			throw new InputError(`interval ${quoted()} is not a positive number (at least 1 second)`);
		}

		if (seconds > maxIntervalSeconds) {
			throw new InputError(`interval ${quoted()} is too long (at most ${maxIntervalSeconds} seconds, 7 days)`);
		}

		return seconds;
	}

	if (decimalNumber.test(raw) && Number(raw) > 0) {
		throw new InputError(`interval ${quoted()} is not a whole number of seconds`);
	}

	throw new InputError(`interval ${quoted()} is not a positive number`);
}

// No RE2 metacharacter: the pattern is its own literal text, valid, with a program as long as it.
const literalPattern = /^[^$()*+.?[\\\]^{|}]*$/;

/**
Checks a regex field. An empty field means "do not check the body" and gives `undefined`; anything
else must compile with RE2 (the engine the prober uses) within the bounds of `input-limits.ts`, so a
bad pattern fails at load time with its line number instead of on every check.

@throws {InputError} e.g. `regex "(" is invalid: missing closing )`.
*/
export function parseRegexField(raw: string | undefined): string | undefined {
	if (raw === undefined || raw === '') {
		return undefined;
	}

	if (raw.length > maxRegexLength) {
		throw new InputError(`regex ${quoteUntrusted(raw, 40)} is ${raw.length.toLocaleString('en')} characters long, more than the ${maxRegexLength.toLocaleString('en')} allowed `
			+ '(RE2 compile time and memory grow with the pattern, and a check needs a phrase or two)');
	}

	// Most patterns are plain words; compiling each (about 25 us) would be a second of a million-row start.
	if (literalPattern.test(raw)) {
		return ownString(raw);
	}

	const {programSize} = compilePattern(raw);
	if (programSize > maxRegexInstructions) {
		throw new InputError(`regex ${quoteUntrusted(raw, 40)} compiles to ${programSize.toLocaleString('en')} RE2 instructions, more than the ${maxRegexInstructions.toLocaleString('en')} allowed `
			+ '(counted repeats multiply: a{1000} is 1,000; matching costs time per body byte per instruction)');
	}

	return ownString(raw);
}
