import {sql} from 'slonik';
import {failureStatus, regexMatchStatus, type CheckResult} from '../engine/types.js';

/**
One `healthcheck` row as the batch insert binds it, column by column:
website_fk, request_timestamp, response_time (s), http_status_code, regex_match_status,
error_message, scheduled_at, error_kind, final_url, sent_at.
*/
export type HealthcheckRow = [
	websiteFk: number,
	requestTimestamp: string,
	responseTimeSeconds: number,
	httpStatusCode: number,
	regexMatchStatus: number,
	errorMessage: string | null,
	scheduledAt: string,
	errorKind: string | null,
	finalUrl: string | null,
	sentAt: string | null,
];

/** Column types for `sql.unnest`, in `HealthcheckRow` order. */
const healthcheckColumnTypes = ['int4', 'timestamptz', 'float8', 'int4', 'int2', 'text', 'timestamptz', 'text', 'text', 'timestamptz'];

/**
One statement for a whole batch: the rows travel as ten array parameters, whatever the batch size.
A row whose `(website_fk, scheduled_at)` is already stored is a replay and is skipped.
*/
export function insertHealthchecks(rows: readonly HealthcheckRow[]) {
	return sql.unsafe`
		INSERT INTO healthcheck (
			website_fk, request_timestamp, response_time, http_status_code, regex_match_status,
			error_message, scheduled_at, error_kind, final_url, sent_at
		)
		SELECT * FROM ${sql.unnest(rows, healthcheckColumnTypes)}
		ON CONFLICT (website_fk, scheduled_at) DO NOTHING
	`;
}

/** Length caps for the free-text columns. */
export type TextLimits = {
	readonly errorMessage: number;
	readonly finalUrl: number;
	readonly errorKind: number;
};

/** Caps used unless the writer is given others: error messages 2,000, URLs 4,096, kinds 64. */
export const defaultTextLimits: TextLimits = {errorMessage: 2000, finalUrl: 4096, errorKind: 64};

const int4Max = 2_147_483_647;
// The range a JS Date can represent; PostgreSQL's timestamptz range is wider.
const maxEpochMs = 8.64e15;

/**
Text PostgreSQL will accept: no NUL (rejected in text values; PGlite even loses the protocol
frame), at most `max` UTF-16 units, never cut inside a surrogate pair.
*/
export function storableText(value: string | undefined, max: number): string | null {
	if (value === undefined || value === null) {
		return null;
	}

	let text = value;
	if (text.includes('\0')) {
		text = text.replaceAll('\0', '');
	}

	if (text.length > max) {
		let end = Math.max(0, max - 1);
		const last = text.charCodeAt(end - 1);
		if (last >= 0xD8_00 && last <= 0xDB_FF) {
			end--;
		}

		text = text.slice(0, end) + '…';
	}

	return text;
}

function isoTimestamp(epochMs: number | undefined): string | undefined {
	if (typeof epochMs !== 'number' || !Number.isFinite(epochMs) || Math.abs(epochMs) > maxEpochMs) {
		return undefined;
	}

	return new Date(epochMs).toISOString();
}

/**
Converts a result to the row the writer binds, repairing values the schema would reject (a row that
fails a constraint would block its whole batch). Returns undefined when the result cannot be
stored at all (no valid site id or no usable time). `websiteId` defaults to the result's site id;
0 means "not known yet" (the writer finds it from the URL before inserting).
*/
export function toHealthcheckRow(
	result: CheckResult,
	limits: TextLimits = defaultTextLimits,
	websiteId: number = result.siteId,
): HealthcheckRow | undefined {
	if (!Number.isInteger(websiteId) || websiteId < 0 || websiteId > int4Max) {
		return undefined;
	}

	const requested = isoTimestamp(result.requestedAt);
	const scheduled = isoTimestamp(result.scheduledAt) ?? requested;
	if (scheduled === undefined) {
		return undefined;
	}

	const responseTimeMs = Number.isFinite(result.responseTimeMs) ? Math.max(0, result.responseTimeMs) : 0;
	const status = Number.isInteger(result.httpStatusCode) && result.httpStatusCode >= 0 && result.httpStatusCode <= int4Max
		? result.httpStatusCode
		: failureStatus.other;
	const match = result.regexMatchStatus === regexMatchStatus.fail || result.regexMatchStatus === regexMatchStatus.ok
		? result.regexMatchStatus
		: regexMatchStatus.notChecked;

	return [
		websiteId,
		requested ?? scheduled,
		responseTimeMs / 1000,
		status,
		match,
		storableText(result.errorMessage, limits.errorMessage),
		scheduled,
		storableText(result.errorKind, limits.errorKind),
		storableText(result.finalUrl, limits.finalUrl),
		// A missing or unrepresentable send time is stored as "not sent", never as another moment.
		isoTimestamp(result.sentAt) ?? null,
	];
}
