import {sql, type FragmentSqlToken} from 'slonik';
import {InputError} from '../errors.js';
import type {SiteInput} from './sites-repository.js';

/** Sites per statement: a few MB of text each, so one statement's rows only are built at a time. */
const chunkSites = 50_000;

/**
`website.interval` is integer seconds, as the predecessor stored it; a fractional interval is
rounded to the nearest second (at least 1).
*/
export function storedInterval(site: SiteInput): number {
	if (!Number.isFinite(site.intervalSeconds) || site.intervalSeconds <= 0) {
		throw new InputError(`interval ${site.intervalSeconds} for ${site.url} is not a positive number of seconds`);
	}

	return Math.min(2_147_483_647, Math.max(1, Math.round(site.intervalSeconds)));
}

/**
`SELECT ord, url_uq, "interval", regex` over one chunk of sites (`ord` is the input position), for
an `INSERT ... SELECT`. The chunk goes as three texts, one per column, that the server splits into
arrays: the client neither quotes nor escapes a million elements and the server parses each once.
On PGlite a million sites load about 1 s sooner than from one text of tab-separated lines split
three times (3.8 s against 4.7 s). URLs hold no line break (normalised URLs have no whitespace); a
chunk with a regex that does goes as parameter arrays.
*/
function chunkSelect(chunk: readonly SiteInput[], start: number): FragmentSqlToken {
	if (chunk.some(site => site.regex?.includes('\n'))) {
		const rows = chunk.map((site, index): [number, string, number, string | null] =>
			[start + index, site.url, storedInterval(site), site.regex ?? null]);
		return sql.fragment`
			SELECT * FROM ${sql.unnest(rows, ['int4', 'text', 'int4', 'text'])} AS rows (ord, url_uq, "interval", regex)
		`;
	}

	const urls = chunk.map(site => site.url).join('\n');
	const intervals = chunk.map(site => storedInterval(site)).join(',');
	const regexes = chunk.map(site => site.regex ?? '').join('\n');
	return sql.fragment`
		SELECT ${start}::int4 + (n - 1)::int4 AS ord, url_uq, "interval", regex
		FROM unnest(
			string_to_array(${urls}::text, E'\n'),
			string_to_array(${intervals}::text, ',')::int4[],
			string_to_array(${regexes}::text, E'\n', '')
		) WITH ORDINALITY AS rows (url_uq, "interval", regex, n)
	`;
}

/** Runs `insert` with each chunk's `SELECT` (see `chunkSelect`), in input order, one at a time. */
export async function insertInChunks(sites: readonly SiteInput[], insert: (rows: FragmentSqlToken) => Promise<unknown>, start = 0): Promise<void> {
	if (start >= sites.length) {
		return;
	}

	await insert(chunkSelect(sites.slice(start, start + chunkSites), start));
	await insertInChunks(sites, insert, start + chunkSites);
}
