import {sql, UniqueIntegrityConstraintViolationError, type CommonQueryMethods, type DatabasePool} from 'slonik';
import {z} from 'zod';
import type {SiteSpec} from '../engine/types.js';
import {canLoadInBulk, loadIntoEmptyWebsite} from './bulk-load-sites.js';
import {insertInChunks, storedInterval} from './site-input-rows.js';
import type {SiteInput} from './sites-repository.js';

/*
A million sites must start in seconds. Measured with 1,000,000 rows: one upsert per 5,000 rows with
RETURNING took 8 s on PostgreSQL and 42 s on PGlite, and rewrote every row on every start (DO
UPDATE writes a new row version even when nothing changed). So the sites go into a temporary table
in a few large statements, and reach `website` in set-based statements: new URLs inserted in
url_uq order (sorted keys fill the btree page after page), then, only if the join that reads the ids
back finds one, the changed rows updated. Not one INSERT ... ON CONFLICT: its speculative insertion
costs a probe and a token per row, 7.1 s against 4.8 s for a million new rows on PostgreSQL (10.4 s
against 6.3 s on PGlite), and on a restart, when every row exists, it probes all of them (4.0 s)
where an anti-join takes 1.1 s. The ids come back as one ordered text list in one row, not as a
million parsed and validated rows. An empty `website` (a first start) is loaded in bulk instead,
see `bulk-load-sites.ts`.
*/

/** Tries of the whole upsert when another writer inserted one of its URLs meanwhile. */
const concurrentTries = 3;

const storedIds = z.object({
	/** `website_id`s in input order, comma-separated (a text list parses far faster than an int4[]). */
	ids: z.string(),
	/** Input positions of the paused sites (few, usually none). */
	paused: z.array(z.number()),
	/** Whether a stored interval or regex differs from the input's (usually not, on a restart). */
	changed: z.boolean(),
});

/** Where the stored sites are: their ids in input order, and which are paused. */
type Stored = {
	readonly idAt: (index: number) => number;
	readonly paused: ReadonlySet<number>;
};

const readIds = sql.type(storedIds)`
	SELECT
		coalesce(string_agg(w.website_id::text, ',' ORDER BY i.ord), '') AS ids,
		coalesce(array_agg(i.ord) FILTER (WHERE w.paused), '{}') AS paused,
		coalesce(bool_or(w."interval" IS DISTINCT FROM i."interval" OR w.regex IS DISTINCT FROM i.regex), false) AS changed
	FROM site_input i JOIN website w ON w.url_uq = i.url_uq
`;

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
	await insertInChunks(sites, async rows => connection.query(sql.unsafe`
		INSERT INTO site_input (ord, url_uq, "interval", regex) ${rows}
	`));
	// A temporary table has no statistics; without them the joins below may be planned as loops.
	await connection.query(sql.unsafe`ANALYZE site_input`);
}

/**
Stores `site_input` in `website`: new URLs inserted, changed intervals and regexes updated (a row
that did not change is not written, so its `updated_at` stays), paused flags kept. Returns the ids
and the paused flags in input order. The join that reads the ids also says whether anything changed,
so a restart with the same file (the usual one) makes no second pass over a million rows.
*/
async function store(connection: CommonQueryMethods, count: number): Promise<Stored> {
	await connection.query(sql.unsafe`
		INSERT INTO website (url_uq, "interval", regex)
		SELECT i.url_uq, i."interval", i.regex FROM site_input i
		WHERE NOT EXISTS (SELECT FROM website w WHERE w.url_uq = i.url_uq)
		ORDER BY i.url_uq
	`);
	const stored = await connection.one(readIds);
	if (stored.changed) {
		await connection.query(sql.unsafe`
			UPDATE website w SET "interval" = i."interval", regex = i.regex, updated_at = now()
			FROM site_input i
			WHERE w.url_uq = i.url_uq AND (w."interval" IS DISTINCT FROM i."interval" OR w.regex IS DISTINCT FROM i.regex)
		`);
	}

	const ids = stored.ids.split(',');
	if (ids.length !== count) {
		// Every input row was inserted or found in this transaction; anything else is a broken invariant.
		throw new Error(`upsertSites: ${count} sites stored but ${ids.length} ids read back`);
	}

	return {idAt: index => Number(ids[index]), paused: new Set(stored.paused)};
}

/**
Stores the sites in one transaction: by bulk load into an empty table this role owns
(`bulk-load-sites.ts`), else by upsert. Runs again when another writer inserted one of the URLs first.
*/
async function storeAll(pool: DatabasePool, sites: readonly SiteInput[], tries = concurrentTries): Promise<Stored> {
	const bulk = await canLoadInBulk(pool);
	try {
		return await pool.transaction(async transaction => {
			if (bulk && await loadIntoEmptyWebsite(transaction, sites)) {
				return {idAt: index => index + 1, paused: new Set()};
			}

			await fill(transaction, sites);
			return store(transaction, sites.length);
		});
	} catch (error) {
		if (error instanceof UniqueIntegrityConstraintViolationError && tries > 1) {
			return storeAll(pool, sites, tries - 1);
		}

		throw error;
	}
}

/**
Inserts new sites and updates the interval and regex of known ones (matched on the URL) in one
transaction; a row that did not change is not written, so its `updated_at` stays. Paused flags are
kept. Returns the stored sites in input order; a URL listed twice appears once, with its last
interval and regex, at its last place. `distinctUrls`: the caller knows no URL repeats (a sites file
refuses duplicates), which spares a set of a million URLs.
*/
export async function upsertSites(pool: DatabasePool, input: readonly SiteInput[], {distinctUrls = false} = {}): Promise<SiteSpec[]> {
	const sites = distinctUrls ? input : lastOfEachUrl(input);
	if (sites.length === 0) {
		return [];
	}

	const stored = await storeAll(pool, sites);
	return sites.map((site, index) => ({
		id: stored.idAt(index),
		url: site.url,
		intervalSeconds: storedInterval(site),
		regex: site.regex ?? undefined,
		paused: stored.paused.has(index),
	}));
}
