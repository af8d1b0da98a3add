import type {SiteView} from '../engine/site-state.js';
import {fitUrl} from './fit-url.js';
import type {Glyphs} from './glyphs.js';
import {
	codeLabel, displayStatus, formatLatency, nextCheckLabel, regexLabel, sparkline, successLabel,
} from './site-display.js';
import {displayText, fitText} from './text-width.js';
import type {Charset, DisplayStatus, SortKey} from './types.js';

/** Column widths of the site table for one terminal width. */
export type TableColumns = {
	readonly status: number;
	readonly code: number;
	readonly latency: number;
	/** 0 when the terminal is too narrow for a sparkline. */
	readonly spark: number;
	readonly regex: number;
	readonly ok: number;
	readonly next: number;
	readonly url: number;
};

const fixed = {status: 9, code: 8, latency: 6, regex: 2, ok: 4, next: 6} as const;
// The marker and its space, plus one space after each of the six cells between status and URL.
const overhead = 2 + fixed.status + fixed.code + fixed.latency + fixed.regex + fixed.ok + fixed.next + 6;

/** Widths for a terminal `columns` wide; the URL takes what is left. */
export function tableColumns(columns: number): TableColumns {
	let spark = columns >= 160 ? 20 : (columns >= 110 ? 12 : 8);
	// Below ~60 columns the URL matters more than the sparkline.
	if (columns - overhead - spark - 1 < 16) {
		spark = 0;
	}

	const url = Math.max(0, columns - overhead - (spark > 0 ? spark + 1 : 0));
	return {...fixed, spark, url};
}

/** The table's heading line; the sorted column carries the direction glyph. */
export function headingLine(columns: TableColumns, sort: SortKey, reversed: boolean, glyphs: Glyphs): string {
	// Every sort's default order puts what needs attention first (down, slowest, most failures,
	// soonest); the arrow says default (down) or reversed (up) rather than a numeric direction.
	const arrow = (key: SortKey) => {
		if (key !== sort) {
			return '';
		}

		return reversed ? glyphs.ascending : glyphs.descending;
	};

	const cells = [
		'  ',
		fitText(`STATUS${arrow('status')}`, columns.status, ''),
		' ',
		fitText('CODE', columns.code, ''),
		' ',
		fitText(`LAT${arrow('latency')}`, columns.latency, ''),
		' ',
		columns.spark > 0 ? fitText('RECENT', columns.spark, '') + ' ' : '',
		fitText('RE', columns.regex, ''),
		' ',
		fitText(`OK%${arrow('failures')}`, columns.ok, ''),
		' ',
		fitText(`NEXT${arrow('next')}`, columns.next, ''),
		' ',
		fitText(`URL${arrow('url')}`, columns.url, '', false),
	];
	return cells.join('');
}

/** One row split where its colour changes: the status cell is coloured, the rest is not. */
export type RowCells = {
	readonly status: DisplayStatus;
	/** Symbol and label, padded to the column. */
	readonly statusCell: string;
	/** Everything after the status cell, fitted to the remaining width. */
	readonly rest: string;
};

const statusLabel: Readonly<Record<DisplayStatus, string>> = {
	up: 'up',
	// Upper case so a failing site stands out without colour.
	down: 'DOWN',
	slow: 'slow',
	paused: 'paused',
	pending: 'pending',
};

/** Formats one site as table cells. All remote text (the URL) is sanitised here. */
export function rowCells(
	view: SiteView,
	columns: TableColumns,
	context: {readonly now: number; readonly slowMs: number; readonly glyphs: Glyphs; readonly charset: Charset},
): RowCells {
	const {glyphs} = context;
	const status = displayStatus(view, context.slowMs);
	const right = (text: string, width: number) => fitText(text.padStart(width), width, '');
	const cells = [
		fitText(displayText(codeLabel(view), context.charset), columns.code, ''),
		right(view.last ? formatLatency(view.last.responseTimeMs) : glyphs.none, columns.latency),
		columns.spark > 0 ? fitText(sparkline(view, columns.spark, glyphs), columns.spark, '') : undefined,
		fitText(regexLabel(view, glyphs), columns.regex, ''),
		right(successLabel(view, glyphs), columns.ok),
		right(nextCheckLabel(view, context.now, glyphs), columns.next),
		// Cut in the middle: many paths of one host differ only at their end.
		fitUrl(displayText(view.url, context.charset), columns.url, glyphs.ellipsis),
	].filter(cell => cell !== undefined);
	return {
		status,
		statusCell: fitText(`${glyphs.status[status]} ${statusLabel[status]}`, columns.status, ''),
		rest: ' ' + cells.join(' '),
	};
}
