import test from 'ava';
import {normalizeSiteUrl} from '../../source/config/normalize-url.js';
import {originOf} from '../../source/engine/slot-rows.js';

test('a normalised URL and any other spelling of its origin share one lane', t => {
	const spellings: Array<[string, ...string[]]> = [
		['http://example.com:80/health', 'HTTP://Example.COM/other', 'http://example.com:080/x?y'],
		['https://example.com:443', 'https://example.com/a', 'https://EXAMPLE.com:443/b#c'],
		['http://127.0.0.1:8080/a', 'http://127.1:8080/b'],
	];
	for (const [first, ...others] of spellings) {
		const origin = originOf(first);
		for (const other of others) {
			t.is(originOf(other), origin, `${other} and ${first}`);
		}

		t.is(originOf(normalizeSiteUrl(first)), origin);
	}

	t.is(originOf('https://example.com:443/x'), 'https://example.com:443');
	t.is(originOf('http://[::1]:8080/x'), 'http://[::1]:8080');
	t.not(originOf('http://a.example:80/x'), originOf('http://b.example:80/x'));
	t.not(originOf('http://a.example:80/x'), originOf('https://a.example:443/x'));
	t.not(originOf('http://a.example:80/x'), originOf('http://a.example:81/x'));
	// No origin: the URL itself, so such a site gets a lane of its own.
	t.is(originOf('not a url'), 'not a url');
});
