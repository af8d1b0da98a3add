import test from 'ava';
import {InputError} from '../../source/errors.js';
import {compilePattern} from '../../source/probe/index.js';

test('searches anywhere in the text, like Python re.search', t => {
	const pattern = compilePattern('feeling lucky');
	t.true(pattern.test('<p>I am feeling lucky today</p>'));
	t.false(pattern.test('feeling unlucky'));
	t.is(pattern.source, 'feeling lucky');
});

test('anchors, classes, flags and Python-style named groups work', t => {
	t.true(compilePattern('^<!doctype').test('<!doctype html>'));
	t.false(compilePattern('^html').test('<!doctype html>'));
	t.true(compilePattern(String.raw`(?i)LOREM\s+ipsum`).test('lorem \n ipsum'));
	t.true(compilePattern('(?P<word>dog)\'s').test('the dog\'s cat'));
	t.true(compilePattern('[0-9]{3}').test('error 503'));
});

test('(a+)+$ on a megabyte of a\'s and a ! completes and finds no match', t => {
	// V8's backtracking RegExp would take longer than the universe has left here.
	const text = `${'a'.repeat(1024 * 1024)}!`;
	t.false(compilePattern('(a+)+$').test(text));
	t.true(compilePattern('(a+)+!$').test(text));
});

test('invalid patterns throw InputError naming the pattern and the reason', t => {
	const error = t.throws(() => compilePattern('('), {instanceOf: InputError});
	t.is(error?.message, 'regex "(" is invalid: missing closing )');
	t.is(error?.code, 'INPUT_INVALID');
});

test('backreferences and lookaround are rejected, not approximated', t => {
	t.throws(() => compilePattern(String.raw`(a)\1`), {instanceOf: InputError});
	t.throws(() => compilePattern('foo(?=bar)'), {instanceOf: InputError});
	t.throws(() => compilePattern('a**'), {instanceOf: InputError});
});

test('a pattern is compiled once and shared', t => {
	t.is(compilePattern('shared words'), compilePattern('shared words'));
	t.not(compilePattern('one'), compilePattern('two'));
});

test('the program size tells small patterns from big ones', t => {
	t.true(compilePattern(String.raw`(?i)lorem\s+ipsum`).programSize <= 16);
	t.true(compilePattern('(.{0,50}a){20}$').programSize > 1000);
});

test('lookaround and backreferences are named as such, not as RE2\'s parse error', t => {
	const cases: Array<[string, string]> = [
		['(?<=x)a', 'regex "(?<=x)a" is invalid: "(?<=x)" is a lookbehind, which RE2 does not have'],
		['a(?<!x)', 'regex "a(?<!x)" is invalid: "(?<!x)" is a lookbehind, which RE2 does not have'],
		['foo(?=bar)', 'regex "foo(?=bar)" is invalid: "(?=" is a lookahead, which RE2 does not have'],
		[String.raw`(a)\1`, String.raw`regex "(a)\\1" is invalid: "\\1" is a backreference, which RE2 does not have`],
	];
	for (const [pattern, message] of cases) {
		const error = t.throws(() => compilePattern(pattern), {instanceOf: InputError});
		t.true(error?.message.startsWith(message), error?.message);
		t.notRegex(error?.message ?? '', /named capture/);
	}
});
