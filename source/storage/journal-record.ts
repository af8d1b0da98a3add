import {crc32} from 'node:zlib';
import type {HealthcheckRow} from './healthcheck-row.js';

/** How to create a site that may not be stored yet (its run started without the database). */
export type SiteDefinition = {
	readonly intervalSeconds: number;
	readonly regex: string | null;
};

/** A result on its way to `healthcheck`, in memory or in the journal. */
export type PendingRow = {
	/**
	The site's normalised URL (`website.url_uq`). Unlike a `website_id` it means the same site in
	every run and after tables were dropped, so a journal can be replayed into any later database.
	*/
	readonly url: string;
	/** The row to insert; `row[0]` is a website id hint, 0 meaning "look the id up by `url`". */
	readonly row: HealthcheckRow;
	/** Set only for rows whose site may not exist yet: replay creates the site from it. */
	readonly site?: SiteDefinition | undefined;
};

type Encoded = {u: string; r: HealthcheckRow; i?: number; x?: string | null};

/**
One journal line: the CRC-32 of the JSON as 8 hex digits, a space, the JSON, a newline. The checksum
finds lines cut short by a crash or damaged on disk; the newline marks a line as complete.
*/
export function encodeJournalLine(pending: PendingRow): string {
	const record: Encoded = {u: pending.url, r: pending.row};
	if (pending.site) {
		record.i = pending.site.intervalSeconds;
		record.x = pending.site.regex;
	}

	const json = JSON.stringify(record);
	return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

const hexDigits = /^[\da-f]{8}$/;

/**
Whether `line` (without its newline) carries the checksum of its own JSON. Cheap (native CRC, no
parsing), so a journal left by a crash can be counted and checked before anything else runs.
*/
export function isIntactJournalLine(line: Buffer): boolean {
	if (line.length < 11 || line[8] !== 0x20) {
		return false;
	}

	const checksum = line.toString('latin1', 0, 8);
	return hexDigits.test(checksum) && Number.parseInt(checksum, 16) === crc32(line.subarray(9));
}

/** A row as the version before `sent_at` journaled it: the first nine elements. */
type NineElementRow = HealthcheckRow extends [...infer Head, unknown] ? Head : never;

/** A row as a journal holds it; journals outlive upgrades, so the older shape is still read. */
type JournaledRow = HealthcheckRow | NineElementRow;

function isRow(value: unknown): value is JournaledRow {
	return Array.isArray(value)
		&& (value.length === 9 || (value.length === 10 && (value[9] === null || typeof value[9] === 'string')))
		&& typeof value[0] === 'number'
		&& typeof value[1] === 'string'
		&& typeof value[6] === 'string';
}

/**
Decodes an intact line (see `isIntactJournalLine`). Returns undefined for a line whose checksum is
right but whose content is not a record this version understands.
*/
export function decodeJournalLine(line: Buffer): PendingRow | undefined {
	let record: Partial<Record<keyof Encoded, unknown>>;
	try {
		record = JSON.parse(line.toString('utf8', 9)) as Partial<Record<keyof Encoded, unknown>>;
	} catch {
		return undefined;
	}

	if (typeof record.u !== 'string' || !isRow(record.r)) {
		return undefined;
	}

	const site = typeof record.i === 'number' && record.i > 0
		? {intervalSeconds: record.i, regex: typeof record.x === 'string' ? record.x : null}
		: undefined;
	// The older version recorded no send time: NULL, like any row whose send time is unknown.
	const row: HealthcheckRow = record.r.length === 9 ? [...record.r, null] : record.r;
	return {url: record.u, row, site};
}
