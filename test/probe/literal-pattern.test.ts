import test from 'ava';
import {RE2JS} from 're2js';
import {regexMatchStatus} from '../../source/engine/types.js';
import {seededRandom} from '../../source/bench/fleet-kinds.js';
import {compilePattern, createRegexMatcher} from '../../source/probe/index.js';

/*
A pattern of plain characters is matched by searching the body's bytes (safe-regex.ts `literal`).
That must give RE2's answer on the lossily decoded text for every body, including bytes that are
not UTF-8, and must never take a pattern that is not plain.
*/

test('plain patterns, and punctuation escaped with a backslash, are literals; anything with a metacharacter is not', t => {
	const literal = (pattern: string) => compilePattern(pattern)?.literal?.toString();
	t.is(literal('welcome'), 'welcome');
	t.is(literal('status: "ok" <b>é✓</b>'), 'status: "ok" <b>é✓</b>');
	t.is(literal(String.raw`v1\.2 \(beta\) \[x\] a\\b`), String.raw`v1.2 (beta) [x] a\b`);
	t.is(literal(''), '');
	for (const pattern of ['caf\uFFFD', 'schema.org', '^ok', 'ok$', 'a|b', 'a?', 'a*', 'a+', '(ok)', '[ok]', 'a{2}', String.raw`\d`, String.raw`\bok`, String.raw`\Qa.b\E`, String.raw`a\_b`, '(?i)ok']) {
		let compiled;
		try {
			compiled = compilePattern(pattern);
		} catch {
			continue; // RE2 refuses it: nothing to compare
		}

		t.is(compiled.literal, undefined, pattern);
	}
});

/** A small alphabet that makes matches likely and covers multi-byte and invalid UTF-8. */
const pieces: Array<readonly number[]> = [
	[0x61], [0x62], [0x2E], [0x5C], [0x0A], // A b . \ newline
	[0xC3, 0xA9], [0xE2, 0x9C, 0x93], [0xF0, 0x9F, 0x98, 0x80], // É ✓ 😀
	[0xC3], [0xA9], [0xE2, 0x9C], [0x80], [0xFF], // Truncated and stray bytes
];

function randomBytes(random: () => number, maxPieces: number): Uint8Array {
	const bytes: number[] = [];
	const count = Math.floor(random() * maxPieces);
	for (let index = 0; index < count; index++) {
		bytes.push(...pieces[Math.floor(random() * pieces.length)]!);
	}

	return Uint8Array.from(bytes);
}

test('a literal pattern answers as RE2 does on the decoded body, for 20,000 random bodies with invalid bytes', async t => {
	// Deterministic, so a failure is reproducible.
	const random = seededRandom(0x5E_ED_12_34);
	const decoder = new TextDecoder('utf-8', {fatal: false});
	const matcher = createRegexMatcher({inlineMaxBytes: 0});
	t.teardown(async () => matcher.close());
	const mismatches: string[] = [];
	const leftToRe2: string[] = [];
	let matched = 0;
	for (let round = 0; round < 20_000; round++) {
		// Patterns are valid text (they come from a UTF-8 sites file): decode a random byte string.
		const text = decoder.decode(randomBytes(random, 4)).replaceAll(/[.\\]/g, character => `\\${character}`);
		const pattern = compilePattern(text);
		if (!pattern.literal) {
			leftToRe2.push(text);
			continue;
		}

		const body = randomBytes(random, 40);
		const expected = RE2JS.compile(text).test(decoder.decode(body));
		// With no inline budget, only the literal path can answer without a thread.
		const result = await matcher.match(pattern, body);
		if (result.regexMatchStatus !== (expected ? regexMatchStatus.ok : regexMatchStatus.fail)) {
			mismatches.push(`pattern ${JSON.stringify(text)} on bytes ${Buffer.from(body).toString('hex')}: RE2 says ${expected}`);
		}

		matched += expected ? 1 : 0;
	}

	t.deepEqual(mismatches, []);
	// U+FFFD (the decoded form of the stray bytes) is RE2's: it stands for any byte that is not UTF-8.
	t.true(leftToRe2.every(text => text.includes('\uFFFD')));
	t.is(matcher.stats.threadedMatches, 0, 'no literal went to a thread');
	t.true(matcher.stats.inlineMatches > 10_000, `${matcher.stats.inlineMatches} literals compared`);
	t.true(matched > 1000 && matched < matcher.stats.inlineMatches - 1000, `both answers are common (${matched} matches)`);
});
