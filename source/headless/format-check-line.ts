import {isSuccess} from '../engine/site-state.js';
import {isVerdict, type CheckResult} from '../engine/types.js';
import {sanitizeForTerminal} from '../text/sanitize.js';

const regexLabel = ['miss', 'ok', '-'] as const;

/**
One check as one line of text: time, status, latency, regex result, URL, then the failure if any.
`2026-11-24T21:20:03.120Z UP   200    123 ms regex=ok   https://example.com:443`
*/
export function formatCheckLine(result: CheckResult): string {
	const time = new Date(result.requestedAt).toISOString();
	const state = isVerdict(result) ? (isSuccess(result) ? 'UP  ' : 'DOWN') : 'SKIP';
	const status = String(result.httpStatusCode).padStart(3);
	const latency = `${Math.round(result.responseTimeMs)} ms`.padStart(8);
	const regex = `regex=${regexLabel[result.regexMatchStatus]}`.padEnd(10);
	let line = `${time} ${state} ${status} ${latency} ${regex} ${sanitizeForTerminal(result.url, 2048)}`;
	if (result.finalUrl) {
		line += ` -> ${sanitizeForTerminal(result.finalUrl, 2048)}`;
	}

	if (result.errorKind) {
		line += ` [${result.errorKind}${result.errorMessage ? `: ${sanitizeForTerminal(result.errorMessage, 300)}` : ''}]`;
	}

	return line;
}

/**
ISO time, or null when there is none: no request left (a connect failure, a skipped slot), or a
value no Date can hold (toISOString would throw, and one odd value must not stop the output).
*/
function isoTimeOrNull(epochMs: number | undefined): string | null {
	const date = new Date(epochMs ?? NaN);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
One check as one NDJSON record with the database's column names. Strings are sanitised too:
JSON escapes control characters but not bidi overrides, and people `jq -r` these into terminals.
*/
export function formatCheckJson(result: CheckResult): string {
	return JSON.stringify({
		request_timestamp: new Date(result.requestedAt).toISOString(),
		scheduled_at: new Date(result.scheduledAt).toISOString(),
		sent_at: isoTimeOrNull(result.sentAt),
		website_id: result.siteId,
		url: sanitizeForTerminal(result.url, 2048),
		http_status_code: result.httpStatusCode,
		response_time_ms: Math.round(result.responseTimeMs * 10) / 10,
		regex_match_status: result.regexMatchStatus,
		ok: isSuccess(result),
		error_kind: result.errorKind ?? null,
		error_message: result.errorMessage === undefined ? null : sanitizeForTerminal(result.errorMessage, 2000),
		final_url: result.finalUrl === undefined ? null : sanitizeForTerminal(result.finalUrl, 2048),
	});
}
