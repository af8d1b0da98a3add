import {sql, type CommonQueryMethods, type DatabasePool} from 'slonik';
import {z} from 'zod';
import type {SiteSpec} from '../engine/types.js';
import {InputError} from '../errors.js';
import type {SiteInput} from './sites-repository.js';

/*
A million sites must start in seconds. Measured with 1,000,000 rows: one upsert per 5,000 rows with
RETURNING took 8 s on PostgreSQL and 42 s on PGlite, and rewrote every row on every start (DO
UPDATE writes a new row version even when nothing changed). So the sites go into a temporary table
in a few large statements, reach `website` in one sorted statement that touches only new or changed
rows (sorted keys fill the url_uq btree page after page), and their ids come back as three arrays
in one row, not as a million parsed and validated rows.
*/

/** Rows per statement filling the temporary table: each parameter array a few MB. */
const fillChunkRows = 50_000;

const idArrays = z.object({
	ords: z.array(z.number()),
	ids: z.array(z.number()),
	paused: z.array(z.boolean()),
});

/**
`website.interval` is integer seconds, as the predecessor stored it; a fractional interval is
rounded to the nearest second (at least 1).
*/
function storedInterval(site: SiteInput): number {
	if (!Number.isFinite(site.intervalSeconds) || site.intervalSeconds <= 0) {
		throw new InputError(`interval ${site.intervalSeconds} for ${site.url} is not a positive number of seconds`);
	}

	return Math.min(2_147_483_647, Math.max(1, Math.round(site.intervalSeconds)));
}

/** `sites` without earlier rows of a URL listed again (one statement cannot update a row twice). */
function lastOfEachUrl(sites: readonly SiteInput[]): readonly SiteInput[] {
	const seen = new Set<string>();
	for (const site of sites) {
		seen.add(site.url);
	}

	if (seen.size === sites.length) {
		return sites;
	}

	const byUrl = new Map<string, SiteInput>();
	for (const site of sites) {
		byUrl.delete(site.url);
		byUrl.set(site.url, site);
	}

	return [...byUrl.values()];
}

async function fill(connection: CommonQueryMethods, sites: readonly SiteInput[]): Promise<void> {
	await connection.query(sql.unsafe`
		CREATE TEMPORARY TABLE site_input (ord int4, url_uq text, "interval" int4, regex text) ON COMMIT DROP
	`);
	await fillFrom(connection, sites, 0);
	// A temporary table has no statistics; without them the joins below may be planned as loops.
	await connection.query(sql.unsafe`ANALYZE site_input`);
}

/** One chunk, then the rest: the rows of one statement only are built at a time. */
async function fillFrom(connection: CommonQueryMethods, sites: readonly SiteInput[], start: number): Promise<void> {
	if (start >= sites.length) {
		return;
	}

	const rows = sites.slice(start, start + fillChunkRows).map((site, index): [number, string, number, string | null] =>
		[start + index, site.url, storedInterval(site), site.regex ?? null]);
	await connection.query(sql.unsafe`
		INSERT INTO site_input SELECT * FROM ${sql.unnest(rows, ['int4', 'text', 'int4', 'text'])}
	`);
	await fillFrom(connection, sites, start + fillChunkRows);
}

/**
Inserts new sites and updates the interval and regex of known ones (matched on the URL) in one
transaction; a row that did not change is not written, so its `updated_at` stays. Paused flags are
kept. Returns the stored sites in input order; a URL listed twice appears once, with its last
interval and regex, at its last place.
*/
export async function upsertSites(pool: DatabasePool, input: readonly SiteInput[]): Promise<SiteSpec[]> {
	const sites = lastOfEachUrl(input);
	if (sites.length === 0) {
		return [];
	}

	const stored = await pool.transaction(async transaction => {
		await fill(transaction, sites);
		await transaction.query(sql.unsafe`
			INSERT INTO website (url_uq, "interval", regex)
			SELECT url_uq, "interval", regex FROM site_input ORDER BY url_uq
			ON CONFLICT (url_uq) DO UPDATE SET "interval" = EXCLUDED."interval", regex = EXCLUDED.regex, updated_at = now()
			WHERE website."interval" IS DISTINCT FROM EXCLUDED."interval" OR website.regex IS DISTINCT FROM EXCLUDED.regex
		`);
		return transaction.one(sql.type(idArrays)`
			SELECT
				coalesce(array_agg(i.ord ORDER BY i.ord), '{}') AS ords,
				coalesce(array_agg(w.website_id ORDER BY i.ord), '{}') AS ids,
				coalesce(array_agg(w.paused ORDER BY i.ord), '{}') AS paused
			FROM site_input i JOIN website w ON w.url_uq = i.url_uq
		`);
	});

	return stored.ords.map((ord, index) => {
		const site = sites[ord]!;
		return {
			id: stored.ids[index]!,
			url: site.url,
			intervalSeconds: storedInterval(site),
			regex: site.regex ?? undefined,
			paused: stored.paused[index]!,
		};
	});
}
