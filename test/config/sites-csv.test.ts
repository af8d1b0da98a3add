import {mkdtemp, readdir, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test from 'ava';
import {InputError} from '../../source/errors.js';
import {maxIntervalSeconds} from '../../source/config/site-fields.js';
import {parseSitesCsv, readSitesCsv, type SiteInput} from '../../source/config/sites-csv.js';

// Paths are relative on purpose: messages must quote the path exactly as the user gave it.
const fixture = (name: string) => `test/fixtures/csv/${name}`;

async function rejects(t: import('ava').ExecutionContext, path: string, message: string) {
	const error = await t.throwsAsync(readSitesCsv(path), {instanceOf: InputError});
	t.is(error?.message, message);
	t.false(error?.message.includes('\n'), 'messages are one line');
}

// ---- The predecessor's sample lists: every file in data/ must load, with these exact contents.

const expectedCounts: Record<string, number> = {
	'websites_test_okfail.csv': 2,
	'websites_test_parsing.csv': 5,
	'websites_test_redirect.csv': 1,
	'websites_top1.csv': 1,
	'websites_top101.csv': 101,
	'websites_top101_www.csv': 101,
	'websites_top15.csv': 15,
	'websites_top3.csv': 3,
	'websites_top3alt.csv': 3,
};

test('every sample list in data/ is covered by this test', async t => {
	const files = (await readdir('data')).filter(name => name.endsWith('.csv')).sort();
	t.deepEqual(files, Object.keys(expectedCounts).sort());
});

for (const [name, count] of Object.entries(expectedCounts)) {
	test(`data/${name} loads ${count} unique, normalised sites`, async t => {
		const sites = await readSitesCsv(`data/${name}`);
		t.is(sites.length, count);
		t.is(new Set(sites.map(site => site.url)).size, count);
		for (const site of sites) {
			t.regex(site.url, /^https:\/\/[\d\-.a-z]+:443$/);
			t.true(Number.isInteger(site.intervalSeconds) && site.intervalSeconds > 0);
		}
	});
}

test('data/websites_test_parsing.csv: quoted fields, upper case, apostrophes, trailing blank line', async t => {
	const sites = await readSitesCsv('data/websites_test_parsing.csv');
	t.deepEqual(sites, [
		{url: 'https://nosuch.website23459842342.com:443', intervalSeconds: 60, line: 1},
		{url: 'https://fonts.googleapis.com:443', intervalSeconds: 195, regex: 'imperfects botches', line: 2},
		{url: 'https://facebook.com:443', intervalSeconds: 102, regex: 'generalissimo\'s produce\'s', line: 3},
		{url: 'https://twitter.com:443', intervalSeconds: 85, regex: 'screened reacted', line: 4},
		{url: 'https://google.com:443', intervalSeconds: 195, regex: 'dog\'s cat', line: 5},
	] satisfies SiteInput[]);
	t.false('regex' in sites[0]!, 'a row without a third field has no regex key');
});

test('data/websites_top101.csv: first, regex rows and last', async t => {
	const sites = await readSitesCsv('data/websites_top101.csv');
	t.deepEqual(sites[0], {url: 'https://nosuch.website23459842342.com:443', intervalSeconds: 60, line: 1});
	t.deepEqual(sites[21], {url: 'https://bit.ly:443', intervalSeconds: 100, regex: 'stuffing nonflammable', line: 22});
	t.deepEqual(sites[39], {url: 'https://microsoft.com:443', intervalSeconds: 164, regex: 'conspirators Bowers\'s', line: 40});
	t.deepEqual(sites[100], {url: 'https://fb.com:443', intervalSeconds: 53, line: 101});
	t.is(sites.filter(site => site.regex !== undefined).length, 18);
});

test('data/websites_top101_www.csv: unquoted hosts with www.', async t => {
	const sites = await readSitesCsv('data/websites_top101_www.csv');
	t.deepEqual(sites[2], {url: 'https://www.facebook.com:443', intervalSeconds: 102, regex: 'html', line: 3});
	t.deepEqual(sites[100], {url: 'https://www.fb.com:443', intervalSeconds: 53, line: 101});
});

test('data/websites_top15.csv and top3: unquoted regexes', async t => {
	const top15 = await readSitesCsv('data/websites_top15.csv');
	t.deepEqual(top15[2], {url: 'https://google.com:443', intervalSeconds: 8, regex: 'schema.org', line: 3});
	t.deepEqual(top15[14], {url: 'https://maps.google.com:443', intervalSeconds: 5, line: 15});
	const top3 = await readSitesCsv('data/websites_top3.csv');
	t.deepEqual(top3.map(site => site.regex), [undefined, 'asdfds', 'About']);
});

test('data/websites_test_okfail.csv, top1, top3alt, redirect', async t => {
	t.deepEqual((await readSitesCsv('data/websites_test_okfail.csv')).map(site => [site.url, site.intervalSeconds]), [
		['https://facebook.com:443', 10],
		['https://nosuchsite2343243.com:443', 5],
	]);
	t.deepEqual(await readSitesCsv('data/websites_top1.csv'), [{url: 'https://facebook.com:443', intervalSeconds: 3, line: 1}]);
	t.deepEqual((await readSitesCsv('data/websites_top3alt.csv')).map(site => site.url), [
		'https://akamai.com:443',
		'https://die.net:443',
		'https://sciencedirect.com:443',
	]);
	t.deepEqual(await readSitesCsv('data/websites_test_redirect.csv'), [{url: 'https://ec.europa.eu:443', intervalSeconds: 3, line: 1}]);
});

// ---- Format details the sample files do not exercise.

test('BOM, CRLF, comments, blank lines, spaces, schemes, ports, paths and empty regex', async t => {
	const directory = await mkdtemp(join(tmpdir(), 'webmon-sites-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	const path = join(directory, 'sites.csv');
	await writeFile(path, [
		'\uFEFF# monitored sites',
		'',
		'  example.com , 30 ',
		' '.repeat(3),
		'"http://Example.com:8080/health?full=1",5,"ok|healthy"',
		'  # indented comment',
		'api.example.com,60,',
		'docs.example.com,15,"#main, ""quoted"""',
		'shop.example.com,20,say "hi"',
		'',
	].join('\r\n'));
	t.deepEqual(await readSitesCsv(path), [
		{url: 'https://example.com:443', intervalSeconds: 30, line: 3},
		{url: 'http://example.com:8080/health?full=1', intervalSeconds: 5, regex: 'ok|healthy', line: 5},
		{url: 'https://api.example.com:443', intervalSeconds: 60, line: 7},
		{url: 'https://docs.example.com:443', intervalSeconds: 15, regex: '#main, "quoted"', line: 8},
		{url: 'https://shop.example.com:443', intervalSeconds: 20, regex: 'say "hi"', line: 9},
	]);
});

test('line numbers stay right after blank lines and comments in a CRLF file', t => {
	const text = 'a.example,1\r\n\r\n# c\r\n\r\nb.example,2\r\n\r\nc.example,x\r\n';
	const error = t.throws(() => parseSitesCsv(text, 'crlf.csv'), {instanceOf: InputError});
	t.is(error?.message, 'crlf.csv:7: interval "x" is not a positive number');
});

test('a file without a trailing newline', t => {
	t.deepEqual(parseSitesCsv('a.example,1\nb.example,2', 'x.csv').map(site => site.line), [1, 2]);
});

test('the largest interval is accepted, one more is not', t => {
	t.is(parseSitesCsv(`a.example,${maxIntervalSeconds}`, 'x.csv')[0]?.intervalSeconds, maxIntervalSeconds);
	t.throws(() => parseSitesCsv(`a.example,${maxIntervalSeconds + 1}`, 'x.csv'), {
		message: `x.csv:1: interval "${maxIntervalSeconds + 1}" is too long (at most ${maxIntervalSeconds} seconds, 7 days)`,
	});
});

test('interval spellings that are not plain digits are refused', t => {
	const cases: Array<[string, string]> = [
		['1e2', 'interval "1e2" is not a whole number of seconds'],
		['5.0', 'interval "5.0" is not a whole number of seconds'],
		['0x10', 'interval "0x10" is not a positive number'],
		['+5', 'interval "+5" is not a whole number of seconds'],
		['', 'interval "" is not a positive number'],
		['NaN', 'interval "NaN" is not a positive number'],
		['Infinity', 'interval "Infinity" is not a positive number'],
	];
	for (const [interval, message] of cases) {
		t.throws(() => parseSitesCsv(`a.example,${interval}\n`, 'x.csv'), {message: `x.csv:1: ${message}`}, interval);
	}
});

test('the earliest problem wins when a syntax error comes after a bad row', t => {
	t.throws(() => parseSitesCsv('a.example,0\n"b.example,5\n', 'x.csv'), {
		message: 'x.csv:1: interval "0" is not a positive number (at least 1 second)',
	});
});

test('InputError keeps the underlying error as cause', t => {
	const error = t.throws(() => parseSitesCsv('a.example,5,(\n', 'x.csv'), {instanceOf: InputError});
	t.truthy(error?.cause);
});

// ---- Bad files: one exact message each, naming file and line.

const bad: Array<[file: string, message: string]> = [
	['bad-interval.csv', ':2: interval "abc" is not a positive number'],
	['zero-interval.csv', ':3: interval "0" is not a positive number (at least 1 second)'],
	['negative-interval.csv', ':1: interval "-5" is not a positive number'],
	['fraction-interval.csv', ':1: interval "2.5" is not a whole number of seconds'],
	['huge-interval.csv', `:1: interval "999999999" is too long (at most ${maxIntervalSeconds} seconds, 7 days)`],
	['too-many-fields.csv', ':2: expected 2 or 3 fields (url,interval[,regex]), got 5'],
	['one-field.csv', ':2: expected 2 or 3 fields (url,interval[,regex]), got 1'],
	['unclosed-quote.csv', ':4: field 1 (url): a quote opens and is not closed on this line (fields cannot span lines; is a quote unbalanced?)'],
	['text-after-quote.csv', ':2: field 3 (regex): unexpected character after a closing quote (quote the whole field and double inner quotes: "a ""b""")'],
	['multi-line-field.csv', ':2: field 3 (regex): a quote opens and is not closed on this line (fields cannot span lines; is a quote unbalanced?)'],
	['invalid-regex.csv', ':2: regex "(" is invalid: missing closing )'],
	['bad-scheme.csv', ':2: url "ftp://files.example.com" is not an http(s) URL'],
	['bad-url.csv', ':2: url "face book.com" is invalid: it contains whitespace or control characters'],
	['duplicate-url.csv', ':4: url "https://facebook.com:443" duplicates line 1'],
	['empty.csv', ': no sites found (expected lines of url,interval[,regex])'],
	['only-comments.csv', ': no sites found (expected lines of url,interval[,regex])'],
];

for (const [file, suffix] of bad) {
	test(`rejects ${file}`, async t => {
		await rejects(t, fixture(file), `${fixture(file)}${suffix}`);
	});
}

test('a missing file names the path and the error code', async t => {
	await rejects(t, 'data/no-such-file.csv', 'cannot read sites file data/no-such-file.csv: no such file or directory (ENOENT)');
});

test('a directory is not a sites file', async t => {
	await rejects(t, 'data', 'cannot read sites file data: illegal operation on a directory (EISDIR)');
});
