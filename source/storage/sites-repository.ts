import {sql, type CommonQueryMethods, type DatabasePool, type FragmentSqlToken} from 'slonik';
import {z} from 'zod';
import type {RegexMatchStatus, SiteSpec} from '../engine/types.js';
import {InputError} from '../errors.js';

/** A site as a source (CSV) describes it, before it has an id. */
export type SiteInput = {
	readonly url: string;
	readonly intervalSeconds: number;
	readonly regex?: string | undefined;
};

/** One stored `healthcheck` row, in the engine's units (ms, epoch ms). */
export type StoredCheck = {
	readonly checkId: number;
	readonly siteId: number;
	readonly scheduledAt: number;
	readonly requestedAt: number;
	/** When the request was written to the socket; undefined when none was (or the row predates sent_at). */
	readonly sentAt: number | undefined;
	readonly responseTimeMs: number;
	readonly httpStatusCode: number;
	readonly regexMatchStatus: RegexMatchStatus;
	readonly errorKind: string | undefined;
	readonly errorMessage: string | undefined;
	readonly finalUrl: string | undefined;
};

/** Rows per upsert statement: keeps each statement's parameter arrays to a few hundred KB. */
const upsertChunkRows = 5000;

const websiteRow = z.object({
	website_id: z.number(),
	url_uq: z.string(),
	interval: z.number(),
	regex: z.string().nullable(),
	paused: z.boolean(),
});

function toSiteSpec(row: z.infer<typeof websiteRow>): SiteSpec {
	return {
		id: row.website_id,
		url: row.url_uq,
		intervalSeconds: row.interval,
		regex: row.regex ?? undefined,
		paused: row.paused,
	};
}

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

async function upsertChunk(connection: CommonQueryMethods, rows: ReadonlyArray<[string, number, string | null]>) {
	// The CASE keeps updated_at meaningful: it moves only when the interval or regex changed.
	return connection.any(sql.type(websiteRow)`
		INSERT INTO website (url_uq, "interval", regex)
		SELECT * FROM ${sql.unnest(rows, ['text', 'int4', 'text'])}
		ON CONFLICT (url_uq) DO UPDATE SET
			"interval" = EXCLUDED."interval",
			regex = EXCLUDED.regex,
			updated_at = CASE
				WHEN website."interval" IS DISTINCT FROM EXCLUDED."interval" OR website.regex IS DISTINCT FROM EXCLUDED.regex
				THEN now()
				ELSE website.updated_at
			END
		RETURNING website_id, url_uq, "interval", regex, paused
	`);
}

/**
Inserts new sites and updates the interval and regex of known ones (matched on the URL), in one
transaction and one statement per 5,000 sites. Paused flags are kept. Returns the stored sites in
input order; a URL listed twice appears once, with its last interval and regex.
*/
export async function upsertSites(pool: DatabasePool, sites: readonly SiteInput[]): Promise<SiteSpec[]> {
	// One statement cannot update the same row twice (ON CONFLICT ... cannot affect row a second time).
	const byUrl = new Map<string, [string, number, string | null]>();
	for (const site of sites) {
		byUrl.delete(site.url);
		byUrl.set(site.url, [site.url, storedInterval(site), site.regex ?? null]);
	}

	if (byUrl.size === 0) {
		return [];
	}

	const rows = [...byUrl.values()];
	const stored = new Map<string, SiteSpec>();
	await pool.transaction(async transaction => {
		for (let start = 0; start < rows.length; start += upsertChunkRows) {
			// eslint-disable-next-line no-await-in-loop
			const returned = await upsertChunk(transaction, rows.slice(start, start + upsertChunkRows));
			for (const row of returned) {
				stored.set(row.url_uq, toSiteSpec(row));
			}
		}
	});

	// RETURNING order is not guaranteed; map back to the caller's order.
	return rows.map(([url]) => stored.get(url)!);
}

/** Every site in the `website` table, oldest first. */
export async function loadSites(pool: DatabasePool): Promise<SiteSpec[]> {
	const rows = await pool.any(sql.type(websiteRow)`
		SELECT website_id, url_uq, "interval", regex, paused FROM website ORDER BY website_id
	`);
	return rows.map(row => toSiteSpec(row));
}

/** Sets the paused flag of the given sites. Returns how many rows changed. */
export async function setPaused(pool: DatabasePool, siteIds: readonly number[], paused: boolean): Promise<number> {
	return updatePaused(pool, sql.fragment`website_id = ANY(${sql.array(siteIds, 'int4')})`, siteIds.length, paused);
}

/** Sets the paused flag of the sites with these URLs (`url_uq`). Returns how many rows changed. */
export async function setPausedByUrl(pool: DatabasePool, urls: readonly string[], paused: boolean): Promise<number> {
	return updatePaused(pool, sql.fragment`url_uq = ANY(${sql.array(urls, 'text')})`, urls.length, paused);
}

async function updatePaused(pool: DatabasePool, sites: FragmentSqlToken, count: number, paused: boolean): Promise<number> {
	if (count === 0) {
		return 0;
	}

	const result = await pool.query(sql.unsafe`
		UPDATE website SET paused = ${paused}, updated_at = now()
		WHERE ${sites} AND paused IS DISTINCT FROM ${paused}
	`);
	return result.rowCount;
}

const checkRow = z.object({
	check_id: z.number(),
	website_fk: z.number(),
	scheduled_at: z.number(),
	request_timestamp: z.number(),
	sent_at: z.number().nullable(),
	response_time: z.number(),
	http_status_code: z.number(),
	regex_match_status: z.union([z.literal(0), z.literal(1), z.literal(2)]),
	error_kind: z.string().nullable(),
	error_message: z.string().nullable(),
	final_url: z.string().nullable(),
});

/** The last `limit` checks of one site, newest first. */
export async function recentChecks(pool: DatabasePool, siteId: number, limit: number): Promise<StoredCheck[]> {
	const rows = await pool.any(sql.type(checkRow)`
		SELECT check_id, website_fk, scheduled_at, request_timestamp, sent_at, response_time, http_status_code,
			regex_match_status, error_kind, error_message, final_url
		FROM healthcheck
		WHERE website_fk = ${siteId}
		ORDER BY check_id DESC
		LIMIT ${Math.max(0, Math.floor(limit))}
	`);
	return rows.map(row => ({
		checkId: row.check_id,
		siteId: row.website_fk,
		scheduledAt: row.scheduled_at,
		requestedAt: row.request_timestamp,
		sentAt: row.sent_at ?? undefined,
		// Stored in seconds, like the predecessor; the engine speaks ms.
		responseTimeMs: row.response_time * 1000,
		httpStatusCode: row.http_status_code,
		regexMatchStatus: row.regex_match_status,
		errorKind: row.error_kind ?? undefined,
		errorMessage: row.error_message ?? undefined,
		finalUrl: row.final_url ?? undefined,
	}));
}

/** Rows in `healthcheck`. */
export async function countChecks(pool: DatabasePool): Promise<number> {
	return pool.oneFirst(sql.type(z.object({count: z.number()}))`SELECT count(*) AS count FROM healthcheck`);
}
