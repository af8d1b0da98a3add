import {sql, type DatabasePool, type FragmentSqlToken} from 'slonik';
import {z} from 'zod';
import type {RegexMatchStatus, SiteSpec} from '../engine/types.js';

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

export {upsertSites} from './upsert-sites.js';

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
