import type {Glyphs} from './glyphs.js';
import {formatLatency, shortErrorKind} from './site-display.js';
import {displayText, fitText} from './text-width.js';
import type {Charset, RecentCheck} from './types.js';

/** Heading of the detail pane's check list, aligned with `recentCheckLine`. */
export function recentCheckHeading(width: number): string {
	const line = [
		fitText('TIME (UTC)', 10, ''),
		fitText('CODE', 12, ''),
		'LAT'.padStart(6),
		'LATE'.padStart(7),
		'RE',
		'DETAIL',
	].join(' ');
	return fitText(line, width, '', false);
}

function clockTime(epochMs: number): string {
	// UTC: the stored timestamps are compared with other hosts' logs, and tests must not depend on TZ.
	return new Date(epochMs).toISOString().slice(11, 19);
}

/**
One stored check as a line: time, code and error kind, latency, how late it started against its
slot, regex result, then the error message and redirect target (both remote text, sanitised).
Lateness runs to when the request was sent; without a send time (nothing sent, or a row from
before sent_at), to when the check was handed to the prober.
*/
export function recentCheckLine(check: RecentCheck, width: number, glyphs: Glyphs, charset: Charset): string {
	// The kind comes from the database, which other tools can write: remote text like the rest.
	const kind = check.errorKind ? shortErrorKind(displayText(check.errorKind, charset)) : '';
	const code = kind ? `${check.httpStatusCode} ${kind}` : String(check.httpStatusCode);
	// Waiting for a connection slot happens after the hand-over: only the send time shows all of it.
	const late = Math.max(0, (check.sentAt ?? check.requestedAt) - check.scheduledAt);
	let regex = glyphs.none;
	if (check.regexMatchStatus === 1) {
		regex = glyphs.regexOk;
	} else if (check.regexMatchStatus === 0) {
		regex = glyphs.regexFail;
	}

	const details: string[] = [];
	if (check.errorMessage) {
		details.push(displayText(check.errorMessage, charset));
	}

	if (check.finalUrl) {
		details.push(`${glyphs.arrow} ${displayText(check.finalUrl, charset)}`);
	}

	const line = [
		fitText(clockTime(check.requestedAt), 10, ''),
		fitText(code, 12, ''),
		fitText(formatLatency(check.responseTimeMs).padStart(6), 6, ''),
		fitText(`+${formatLatency(late)}`.padStart(7), 7, ''),
		fitText(regex, 2, ''),
		details.join(' '),
	].join(' ');
	return fitText(line, width, glyphs.ellipsis, false);
}
