import test from 'ava';
import {InputError} from '../../source/errors.js';
import {fastSiteUrl} from '../../source/config/fast-site-url.js';
import {normalizeSiteUrl, normalizeSiteUrlSlow} from '../../source/config/normalize-url.js';

type Outcome = {url: string} | {error: string};

function outcome(normalize: (raw: string) => string, raw: string): Outcome {
	try {
		return {url: normalize(raw)};
	} catch (error) {
		if (!(error instanceof InputError)) {
			throw error;
		}

		return {error: error.message};
	}
}

// Park and Miller's generator (exact in doubles) with a fixed seed: a failure names its input and
// happens again on the next run.
function random(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 48_271) % 2_147_483_647;
		return state / 2_147_483_647;
	};
}

const next = random(20_240_601);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

// Each part is drawn from shapes the fast path takes or from ones it must leave alone, mostly the former.
const schemes = [['', 'http://', 'https://', 'HTTP://', 'Https://', 'hTtPs://'], ['ftp://', 'http:', 'https:/', 'http//', String.raw`https:\\`, 'httpx://', 'http:/', '//']] as const;
const labels = [['example', 'com', 'a', 'www', 'my-site', 'a--b', 'http', 'https', 'localhost', '0', '127', '255', '0x', 'x0', 'a'.repeat(63)], [
	'Example', 'COM', '-a', 'a-', '-', 'my_host', 'xn--bcher-kva', 'XN--bcher-kva', 'xn--zz', 'xn--', 'bücher', 'ß', '1', '00', '01', '010', '256', '999', '4294967295', '0x7f', '0X7F', '0xg', '0x1g',
	'1e3', 'b'.repeat(64), '',
]] as const;
const hosts = [
	'127.0.0.1', '127.1', '0x7f.0.0.1', '010.0.0.1', '1.2.3.4', '255.255.255.255', '256.1.1.1', '1.2.3.4.5', '1.2.3', '0.0.0.0', '01.2.3.4', '1.2.3.04', '[::1]', '[::1', 'a.1', '1.a',
	`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, 'user@example.com', 'u:p@example.com',
];
const ports = [['', ':80', ':443', ':8080', ':9', ':1', ':65535'], [':65536', ':99999', ':123456', ':0', ':00', ':080', ':0443', ':', ':x', ':8o', ':-1', ':+1', ':80:90']] as const;
const paths = [['', '/', '//', '/a', '/a/b', '/site/12', '/a/', '/a.', '/a..b', '/!$&\'()*+,;=:@-_~', '/@x', '/:8080', `/${'p'.repeat(2030)}`, `/${'p'.repeat(2040)}`], [
	'/.', '/..', '/a/./b', '/a/../b', '/.hidden', '/...', '/%2e', '/%2E/x', '/a%20b', '/%', '/ü', '/Straße', '/a b', '/a?', '/?q=1', '?q', '#f', '/x#f', '/^', '/|', '/[x]', '/{}', '/`',
	'/"', '/<>', String.raw`/a\b`, '/a\tb', '/\u0000', '/\u007F', '/\u00A0',
]] as const;
const part = (choices: readonly [readonly string[], readonly string[]]): string => pick(next() < 0.85 ? choices[0] : choices[1]);
const alphabet = [...String.raw`abcXYZ019.-:/%?#@_x\ ~!$'*ü`];

function generatedHost(): string {
	if (next() < 0.1) {
		return pick(hosts);
	}

	const count = 1 + Math.floor(next() * 4);
	const host = Array.from({length: count}, () => part(labels)).join('.');
	return next() < 0.1 ? `${host}.` : host;
}

function generatedInput(): string {
	if (next() < 0.15) {
		return Array.from({length: 1 + Math.floor(next() * 30)}, () => pick(alphabet)).join('');
	}

	return part(schemes) + generatedHost() + part(ports) + part(paths) + (next() < 0.2 ? part(paths) : '');
}

const inputs = [
	'example.com', 'https://example.com', 'http://127.0.9.1:9/site/1', 'example1.com/path/1', 'EXAMPLE.com/Path', 'https://example.com:443/', 'a.b.c.d.e.f.g',
	...Array.from({length: 40_000}, () => generatedInput()),
];

test('the fast path gives what the WHATWG path gives, or leaves the input to it', t => {
	const answered = inputs.flatMap(raw => {
		const url = fastSiteUrl(raw);
		return url === undefined ? [] : [{raw, url}];
	});
	for (const {raw, url} of answered) {
		t.deepEqual({url}, outcome(normalizeSiteUrlSlow, raw), JSON.stringify(raw));
	}

	// The comparison above means little if the fast path hardly ever answers.
	t.true(answered.length > inputs.length / 10, `${answered.length} of ${inputs.length}`);
});

test('normalizeSiteUrl returns and throws what the WHATWG path does', t => {
	for (const raw of inputs) {
		t.deepEqual(outcome(normalizeSiteUrl, raw), outcome(normalizeSiteUrlSlow, raw), JSON.stringify(raw));
	}
});

const fastShapes: Array<[input: string, expected: string]> = [
	['example.com', 'https://example.com:443'],
	['https://example.com/Path', 'https://example.com:443/Path'],
	['1.2.3.4a', 'https://1.2.3.4a:443'],
	['HTTP://example.com:8080/', 'http://example.com:8080'],
	['hTtPs://255.255.255.255:65535/a//b/', 'https://255.255.255.255:65535/a//b/'],
	['http://127.0.250.1:9/site/999999', 'http://127.0.250.1:9/site/999999'],
	['https://example.com:443/a//b/', 'https://example.com:443/a//b/'],
	['localhost:3000/a:b@c', 'https://localhost:3000/a:b@c'],
	['http:8080', 'https://http:8080'],
];

for (const [input, expected] of fastShapes) {
	test(`takes the fast path for ${JSON.stringify(input)}`, t => {
		t.is(fastSiteUrl(input), expected);
	});
}

const slowShapes = [
	'Example.com', 'example.COM/path', 'example.com.', '127.1', '010.0.0.1', '0x7f.0.0.1', 'example.0x1', 'example.123', '256.0.0.1', 'xn--bcher-kva.de', 'my_host.example', 'example.com:080', 'example.com/%41',
	'example.com/a/../b', 'example.com/?q', 'example.com#f', 'bücher.de', 'ftp://x', `example.com/${'p'.repeat(2048)}`,
];

for (const input of slowShapes) {
	test(`leaves ${JSON.stringify(input.slice(0, 40))} to the WHATWG path`, t => {
		t.is(fastSiteUrl(input), undefined);
	});
}
