import {open, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {InputError} from '../../source/errors.js';
import {maxLineLength, maxRegexInstructions, maxRegexLength, maxSitesFileBytes, maxUrlBytes} from '../../source/config/input-limits.js';
import {readSitesCsv} from '../../source/config/sites-csv.js';

async function scratchFile(t: ExecutionContext, content: string | Uint8Array, name = 'sites.csv') {
	const directory = await mkdtemp(join(tmpdir(), 'webmon-limits-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	const path = join(directory, name);
	await writeFile(path, content);
	return path;
}

async function rejection(t: ExecutionContext, path: string, encoding?: string) {
	const error = await t.throwsAsync(readSitesCsv(path, {encoding}), {instanceOf: InputError});
	t.false(error?.message.includes('\n') ?? true, 'one line');
	return error?.message ?? '';
}

// ---- Limits: each says which bound and why, at the line it is about.

test('a URL that would not fit the unique index is refused at its line, saying why', async t => {
	const long = `example.com/${'a'.repeat(3000)}`;
	const path = await scratchFile(t, `ok.example,5\n${long},5\n`);
	const message = await rejection(t, path);
	t.true(message.startsWith(`${path}:2: url "example.com/aaaa`), message);
	t.regex(message, /is 3,024 bytes long once normalised, more than the 2,048 allowed \(website\.url_uq is a unique index/);
	t.true(message.length < 300, 'the URL is not echoed whole');
});

test('a URL of exactly the limit is accepted', async t => {
	const prefix = 'https://example.com:443/';
	const url = prefix.padEnd(maxUrlBytes, 'a');
	const sites = await readSitesCsv(await scratchFile(t, `${url},5\n`));
	t.is(sites[0]?.url.length, maxUrlBytes);
});

test('percent-encoding counts: the normalised URL is what is bounded', async t => {
	// 700 characters of é become 4,200 bytes of %C3%A9 once normalised.
	const message = await rejection(t, await scratchFile(t, `example.com/${'é'.repeat(700)},5\n`));
	t.regex(message, /:1: url .* is 4,224 bytes long once normalised/);
});

test('a regex over the length bound is refused without compiling it', async t => {
	const message = await rejection(t, await scratchFile(t, `example.com,5,"${'(a|b)'.repeat(205)}"\n`));
	t.regex(message, new RegExp(String.raw`:1: regex ".*…" is 1,025 characters long, more than the ${maxRegexLength.toLocaleString('en')} allowed \(RE2 compile time`));
});

test('a short regex that compiles to too many instructions is refused', async t => {
	const message = await rejection(t, await scratchFile(t, 'example.com,5,a{1000}b{1000}c{1000}d{1000}e{1000}f{1000}g{1000}h{1000}i{1000}j{1000}k{1000}\n'));
	t.regex(message, new RegExp(String.raw`:1: regex "a\{1000\}.*" compiles to 11,00\d RE2 instructions, more than the ${maxRegexInstructions.toLocaleString('en')} allowed`));
});

test('a 5 MB regex field is refused as a line too long, before it is held or compiled', async t => {
	const path = await scratchFile(t, `a.example,5\nb.example,5,"${'x'.repeat(5 * 1024 * 1024)}"\nc.example,5\n`);
	const message = await rejection(t, path);
	t.is(message, `${path}:2: the line is longer than ${maxLineLength.toLocaleString('en')} characters, the most a site's line may be (is this a sites file?)`);
});

test('a file over the size bound is refused from its size, before reading it', async t => {
	const path = await scratchFile(t, 'a.example,5\n');
	// Sparse: no disk space, no time; only the size says no.
	const handle = await open(path, 'r+');
	await handle.truncate(maxSitesFileBytes + 1);
	await handle.close();
	t.is(await rejection(t, path), `${path}: the file is larger than 512 MiB, the most a sites file may be (a million sites take about 40 MB)`);
});

test('a bad last row of a multi-chunk file is found at its line', async t => {
	const rows = Array.from({length: 60_000}, (_, index) => `http://127.0.0.1:9/s/${index},60`);
	const path = await scratchFile(t, `${rows.join('\r\n')}\r\nhttp://127.0.0.1:9/last,soon\r\n`);
	t.is(await rejection(t, path), `${path}:60001: interval "soon" is not a positive number`);
});

test('CR-only line ends across chunks keep line numbers', async t => {
	const rows = Array.from({length: 60_000}, (_, index) => `http://127.0.0.1:9/s/${index},60`);
	const path = await scratchFile(t, `${rows.join('\r')}\rbad\r`);
	t.is(await rejection(t, path), `${path}:60001: expected 2 or 3 fields (url,interval[,regex]), got 1`);
});

// ---- Encodings: never silently replaced.

test('Latin-1 bytes read as UTF-8 are refused at file:line:field, naming the byte', async t => {
	const path = await scratchFile(t, Buffer.from('a.example,5\nexample.com/caf\u00E9,5,r\u00E9sum\u00E9\n', 'latin1'));
	t.is(await rejection(t, path), `${path}:2: field 1 (url) is not valid UTF-8: byte 0xE9; save it as UTF-8 or name its encoding with --csv-encoding (e.g. latin1, windows-1252, utf-16le)`);
});

test('the field is counted past quoted commas', async t => {
	const path = await scratchFile(t, Buffer.from('a.example,5,"x,y,r\u00E9sum\u00E9"\n', 'latin1'));
	t.regex(await rejection(t, path), /:1: field 3 \(regex\) is not valid UTF-8: byte 0xE9/);
});

test('--csv-encoding latin1 and windows-1252 decode what they name', async t => {
	const path = await scratchFile(t, Buffer.from('example.com/caf\u00E9,5,r\u00E9sum\u00E9 \u0080\n', 'latin1'));
	const expected = [{url: 'https://example.com:443/caf%C3%A9', intervalSeconds: 5, regex: 'résumé €', line: 1}];
	t.deepEqual(await readSitesCsv(path, {encoding: 'latin1'}), expected);
	t.deepEqual(await readSitesCsv(path, {encoding: 'windows-1252'}), expected);
});

test('--csv-encoding utf-16le reads a UTF-16 file with its BOM, and UTF-8 refuses it with a hint', async t => {
	const text = '\uFEFFexample.com/caf\u00E9,5\r\nother.example,7,"na\u00EFve"\r\n';
	const path = await scratchFile(t, Buffer.from(text, 'utf16le'));
	t.deepEqual(await readSitesCsv(path, {encoding: 'utf-16le'}), [
		{url: 'https://example.com:443/caf%C3%A9', intervalSeconds: 5, line: 1},
		{url: 'https://other.example:443', intervalSeconds: 7, regex: 'naïve', line: 2},
	]);
	t.regex(await rejection(t, path), /:1: field 1 \(url\) is not valid UTF-8: byte 0xFF; .*; it starts like UTF-16$/);
});

test('bytes invalid in the named encoding are refused too', async t => {
	// A lone low surrogate (DC00) is not UTF-16.
	const path = await scratchFile(t, Buffer.from([0x61, 0, 0x2C, 0, 0x35, 0, 0x2C, 0, 0x00, 0xDC, 0x0A, 0]));
	t.is(await rejection(t, path, 'utf-16le'), `${path}:1: field 3 (regex) is not valid UTF-16LE: byte 0x00`);
});

test('an unknown --csv-encoding is named', async t => {
	const path = await scratchFile(t, 'a.example,5\n');
	t.is(await rejection(t, path, 'klingon'), '--csv-encoding "klingon" is not an encoding Node.js knows (e.g. utf-8, latin1, windows-1252, utf-16le)');
});

// ---- Text from the file is untrusted in messages too.

test('control and bidi characters from the file are escaped in messages', async t => {
	const path = await scratchFile(t, 'a.example,5\u202E\u001B[2J\n');
	const message = await rejection(t, path);
	t.is(message, String.raw`${path}:1: interval "5\u202e\u001b[2J" is not a positive number`);
});
