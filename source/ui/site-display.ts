import type {SiteView} from '../engine/site-state.js';
import type {Glyphs} from './glyphs.js';
import type {DisplayStatus} from './types.js';

/** The engine's status, with `up` shown as `slow` when the last answer took longer than `slowMs`. */
export function displayStatus(view: SiteView, slowMs: number): DisplayStatus {
	if (view.status === 'up' && view.last && view.last.responseTimeMs > slowMs) {
		return 'slow';
	}

	return view.status;
}

// The table's code column is 8 wide; the filter still matches the full kind names.
const shortKinds: Readonly<Record<string, string>> = {
	connect_timeout: 'conn-tmo',
	headers_timeout: 'hdrs-tmo',
	body_timeout: 'body-tmo',
	redirect_loop: 'redir-lp',
	too_many_redirects: 'redirs',
	body_too_large: 'too-big',
	bad_response: 'bad-resp',
	unreachable: 'unreach',
};

/** Short label for an error kind, at most 8 columns. */
export function shortErrorKind(kind: string): string {
	return shortKinds[kind] ?? kind.slice(0, 8);
}

/** The last HTTP code, or the error kind when there was no usable response; '' before any check. */
export function codeLabel(view: SiteView): string {
	const {last} = view;
	if (!last) {
		return '';
	}

	return last.errorKind ? shortErrorKind(last.errorKind) : String(last.httpStatusCode);
}

/** `87ms`, `1.25s`, `12.5s`, `125s`. */
export function formatLatency(ms: number): string {
	if (ms < 1000) {
		return `${Math.round(ms)}ms`;
	}

	if (ms < 10_000) {
		return `${(ms / 1000).toFixed(2)}s`;
	}

	return ms < 100_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** `42s`, `4m05s`, `3h07m`, `2d03h`. */
export function formatDuration(ms: number): string {
	const seconds = Math.max(0, Math.floor(ms / 1000));
	if (seconds < 60) {
		return `${seconds}s`;
	}

	const two = (value: number) => String(value).padStart(2, '0');
	if (seconds < 3600) {
		return `${Math.floor(seconds / 60)}m${two(seconds % 60)}s`;
	}

	if (seconds < 86_400) {
		return `${Math.floor(seconds / 3600)}h${two(Math.floor(seconds / 60) % 60)}m`;
	}

	return `${Math.floor(seconds / 86_400)}d${two(Math.floor(seconds / 3600) % 24)}h`;
}

/** Time until the next scheduled check: `now` while one runs, the none glyph when paused or finished. */
export function nextCheckLabel(view: SiteView, now: number, glyphs: Glyphs): string {
	if (view.running) {
		return 'now';
	}

	if (view.nextDueAt === undefined || view.status === 'paused') {
		return glyphs.none;
	}

	return formatDuration(view.nextDueAt - now);
}

/** Share of successes among the checks the view remembers (`100%`), or the none glyph. */
export function successLabel(view: SiteView, glyphs: Glyphs): string {
	const outcomes = view.recentOutcomes;
	if (outcomes.length === 0) {
		return glyphs.none;
	}

	let ok = 0;
	for (const outcome of outcomes) {
		ok += outcome ? 1 : 0;
	}

	return `${Math.round((ok * 100) / outcomes.length)}%`;
}

/** The last check's regex result: ok, fail, or the none glyph when no pattern was checked. */
export function regexLabel(view: SiteView, glyphs: Glyphs): string {
	const status = view.last?.regexMatchStatus;
	if (status === 1) {
		return glyphs.regexOk;
	}

	return status === 0 ? glyphs.regexFail : glyphs.none;
}

// A log scale from 10 ms to 10 s: latencies span orders of magnitude, and a per-row linear scale would
// turn 40 ms of jitter on a fast site into a full-height bar.
const sparkFloorMs = 10;
const sparkCeilingMs = 10_000;

/** The most recent `width` checks as one glyph each; failures as the failure glyph. */
export function sparkline(view: SiteView, width: number, glyphs: Glyphs): string {
	const latencies = view.recentLatencies;
	const outcomes = view.recentOutcomes;
	const start = Math.max(0, latencies.length - width);
	const levels = glyphs.spark.length;
	const span = Math.log(sparkCeilingMs / sparkFloorMs);
	let line = '';
	for (let index = start; index < latencies.length; index++) {
		if (outcomes[index] === false) {
			line += glyphs.sparkFailure;
			continue;
		}

		const position = Math.log(Math.max(sparkFloorMs, latencies[index]!) / sparkFloorMs) / span;
		line += glyphs.spark[Math.min(levels - 1, Math.floor(position * levels))]!;
	}

	return line;
}

/** The fields `/` matches against: URL, status, code and error kind. */
export function searchFields(view: SiteView, slowMs: number): [string, string, string, string] {
	const {last} = view;
	return [view.url, displayStatus(view, slowMs), last ? String(last.httpStatusCode) : '', last?.errorKind ?? ''];
}
