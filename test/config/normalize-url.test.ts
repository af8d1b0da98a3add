import test from 'ava';
import {InputError} from '../../source/errors.js';
import {normalizeSiteUrl} from '../../source/config/normalize-url.js';

const valid: Array<[input: string, expected: string]> = [
	['facebook.com', 'https://facebook.com:443'],
	['www.facebook.com', 'https://www.facebook.com:443'],
	['NOSUCH.website23459842342.com', 'https://nosuch.website23459842342.com:443'],
	['HTTPS://UPPER.example', 'https://upper.example:443'],
	['Http://Example.COM/Path/Kept', 'http://example.com:80/Path/Kept'],
	['http://example.com', 'http://example.com:80'],
	['https://example.com', 'https://example.com:443'],
	['https://example.com:443', 'https://example.com:443'],
	['http://example.com:443', 'http://example.com:443'],
	['https://example.com:80', 'https://example.com:80'],
	['localhost:8080', 'https://localhost:8080'],
	['127.0.0.1:3000/health', 'https://127.0.0.1:3000/health'],
	['[::1]:8080', 'https://[::1]:8080'],
	['example.com/status', 'https://example.com:443/status'],
	['example.com/status/', 'https://example.com:443/status/'],
	// A root path alone is the same request as no path, so both spell one site.
	['example.com/', 'https://example.com:443'],
	['https://example.com:443/', 'https://example.com:443'],
	['example.com?full=1', 'https://example.com:443/?full=1'],
	['example.com/health?full=1&x=y', 'https://example.com:443/health?full=1&x=y'],
	['example.com/health?', 'https://example.com:443/health'],
	['example.com/page#section', 'https://example.com:443/page'],
	['example.com#top', 'https://example.com:443'],
	['bücher.de', 'https://xn--bcher-kva.de:443'],
	['BÜCHER.de/Straße', 'https://xn--bcher-kva.de:443/Stra%C3%9Fe'],
	['example.com/a/./b/../c', 'https://example.com:443/a/c'],
	['my_host.example', 'https://my_host.example:443'],
	['example.com.', 'https://example.com.:443'],
];

for (const [input, expected] of valid) {
	test(`normalizes ${JSON.stringify(input)}`, t => {
		t.is(normalizeSiteUrl(input), expected);
	});
}

const invalid: Array<[input: string, message: string]> = [
	['', 'url "" is invalid: it is empty'],
	['ftp://x', 'url "ftp://x" is not an http(s) URL'],
	['FTP://files.example.com', 'url "FTP://files.example.com" is not an http(s) URL'],
	['mailto:someone@example.com', 'url "mailto:someone@example.com" is not an http(s) URL'],
	['javascript:alert(1)', 'url "javascript:alert(1)" is not an http(s) URL'],
	['https:example.com', 'url "https:example.com" is not an http(s) URL'],
	['https://', 'url "https://" is invalid: it has no host'],
	['https:///path', 'url "https:///path" is invalid: it has no host'],
	['https://:443', 'url "https://:443" is invalid: it is not a valid URL'],
	['/just/a/path', 'url "/just/a/path" is invalid: it has no host'],
	['face book.com', 'url "face book.com" is invalid: it contains whitespace or control characters'],
	[' example.com', 'url " example.com" is invalid: it contains whitespace or control characters'],
	['example.com\t', String.raw`url "example.com\t" is invalid: it contains whitespace or control characters`],
	[String.raw`example.com\path`, String.raw`url "example.com\\path" is invalid: it contains a backslash`],
	['https://user:pass@example.com', 'url "https://user:pass@example.com" is invalid: it contains credentials (user@ or user:password@)'],
	['https://user@example.com', 'url "https://user@example.com" is invalid: it contains credentials (user@ or user:password@)'],
	['example.com:0', 'url "example.com:0" is invalid: port 0 is out of range (1-65535)'],
	['example.com:65536', 'url "example.com:65536" is invalid: port 65536 is out of range (1-65535)'],
	['example.com:', 'url "example.com:" is invalid: port "" is not a number'],
	['https://example.com:http', 'url "https://example.com:http" is invalid: port "http" is not a number'],
	['example..com', 'url "example..com" is invalid: host "example..com" is not a valid host name'],
	['-example.com', 'url "-example.com" is invalid: host "-example.com" is not a valid host name'],
	['exa*mple.com', 'url "exa*mple.com" is invalid: host "exa*mple.com" is not a valid host name'],
];

for (const [input, message] of invalid) {
	test(`rejects ${JSON.stringify(input)}`, t => {
		const error = t.throws(() => normalizeSiteUrl(input), {instanceOf: InputError});
		t.is(error?.message, message);
		t.is(error?.code, 'INPUT_INVALID');
	});
}

test('is idempotent on its own output', t => {
	for (const [, expected] of valid) {
		t.is(normalizeSiteUrl(expected), expected, expected);
	}
});
