import {RE2JS, RE2JSException} from 're2js';
import {InputError} from '../errors.js';
import {quoteUntrusted} from '../text/sanitize.js';

/** A user's pattern, compiled for linear-time search. */
export type CompiledPattern = {
	/** The pattern as the user wrote it. */
	readonly source: string;
	/**
	Instructions in the compiled program. RE2's worst case grows with body length times this, so
	the matcher uses it to decide what may run on the calling thread.
	*/
	readonly programSize: number;
	/**
	For a pattern of plain characters (punctuation escaped with `\`, as in `status: "ok"` or
	`v1\.2`): the UTF-8 bytes it matches. Searching the body's bytes for them gives RE2's answer on
	the decoded text (UTF-8 is self-synchronising: a character's bytes never start inside another's,
	and the lossy decoder starts afresh at every lead byte) without decoding, scanning in JavaScript
	or a trip to a regex thread: 0.25 -> 0.19 ms of CPU per check of a 12 KB page (0.18 with no pattern).
	*/
	readonly literal: Buffer | undefined;
	/** True when the pattern matches anywhere in `text` (like Python's `re.search`). */
	test(text: string): boolean;
};

/*
Patterns come from users and bodies come from strangers, so V8's backtracking `RegExp` is never
used: `(a+)+$` takes seconds on a few dozen characters there. RE2 runs in time linear in the body,
at the price of no backreferences (`\1`) and no lookaround (`(?=…)`, `(?<!…)`); such patterns are
rejected as invalid rather than silently approximated. The predecessor used Python `re` syntax; its
sample patterns are plain words, and RE2 also accepts Python's `(?P<name>…)` groups.
*/

// Many sites share a handful of patterns, and compiling is far dearer than a map lookup. The bound
// only matters if patterns are generated per site; evicting everything then is simple and rare.
const maxCachedPatterns = 10_000;
const cache = new Map<string, CompiledPattern>();

/**
Compiles `pattern` (RE2 syntax) once per distinct source string.

@throws {InputError} When RE2 cannot parse the pattern: `regex "(" is invalid: missing closing )`.
*/
export function compilePattern(pattern: string): CompiledPattern {
	const cached = cache.get(pattern);
	if (cached) {
		return cached;
	}

	let re2: RE2JS;
	try {
		re2 = RE2JS.compile(pattern);
	} catch (error) {
		throw new InputError(`regex ${quoteUntrusted(pattern)} is invalid: ${describeSyntaxError(error)}`, {cause: error});
	}

	const compiled: CompiledPattern = {
		source: pattern,
		programSize: re2.programSize(),
		literal: literalOf(pattern),
		test: text => re2.test(text),
	};
	if (cache.size >= maxCachedPatterns) {
		cache.clear();
	}

	cache.set(pattern, compiled);
	return compiled;
}

/**
Plain characters, or `\` and a punctuation character (not `_`, a word character); anything else is
RE2's to read. Not U+FFFD either: the decoder writes it for every byte that is not UTF-8, so only the
decoded text can say where it is.
*/
const plainCharacters = /^(?:[^$()*+.?[\\\]^{|}\uFFFD]|\\[!-/:-@[-^`{-~])*$/;

function literalOf(pattern: string): Buffer | undefined {
	return plainCharacters.test(pattern) ? Buffer.from(pattern.replaceAll(/\\(.)/g, '$1')) : undefined;
}

// RE2 reads `(?<` as the start of a named group, so a lookbehind is reported as "invalid named
// capture"; the construct it stopped at (`input`) tells what the user meant.
const unsupported: ReadonlyArray<[RegExp, string]> = [
	[/^\(\?<[!=]/, 'a lookbehind'],
	[/^\(\?[!=]/, 'a lookahead'],
	[/^\\[1-9]|^\(\?P=/, 'a backreference'],
];

function describeSyntaxError(error: unknown): string {
	// The syntax exception carries the bare reason in `error` and the construct in `input`; its
	// message repeats a generic prefix.
	if (error instanceof RE2JSException && 'error' in error && typeof error.error === 'string') {
		const input = 'input' in error && typeof error.input === 'string' ? error.input : '';
		const construct = unsupported.find(([pattern]) => pattern.test(input));
		if (construct) {
			const shown = quoteUntrusted(input.slice(0, input.startsWith('(') ? input.indexOf(')') + 1 || 12 : 2), 20);
			return `${shown} is ${construct[1]}, which RE2 does not have (no lookaround or backreferences: they could take exponential time)`;
		}

		return error.error;
	}

	return error instanceof Error ? error.message : String(error);
}
