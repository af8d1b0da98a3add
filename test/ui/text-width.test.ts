import test from 'ava';
import {applyResult, initialView} from '../../source/engine/site-state.js';
import {glyphsFor} from '../../source/ui/glyphs.js';
import {flowSegments, headerSegments} from '../../source/ui/header-lines.js';
import {recentCheckLine} from '../../source/ui/recent-check-line.js';
import {compileFilter} from '../../source/ui/site-filter.js';
import {statusLine} from '../../source/ui/status-line.js';
import {rowCells, tableColumns} from '../../source/ui/table-layout.js';
import {displayText, fitMiddle, fitText, textWidth, toAscii} from '../../source/ui/text-width.js';
import {initialUiState} from '../../source/ui/ui-state.js';

const hostile = 'evil\u001B[2J\u001B]0;pwned\u0007\u001B[5m\u202Egnp.exe\u0000\u009B31m\u009D0;x\u009C\u007F\r\ttail';
const unsafe = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

test('textWidth counts wide characters twice and combining marks not at all', t => {
	t.is(textWidth('abc'), 3);
	t.is(textWidth('日本'), 4);
	t.is(textWidth('e\u0301'), 1);
	t.is(textWidth('😀'), 2);
});

test('fitText cuts at a column budget, never through a wide character, and pads', t => {
	t.is(fitText('abcdef', 4, '…'), 'abc…');
	t.is(fitText('ab', 4, '…'), 'ab  ');
	t.is(fitText('ab', 4, '…', false), 'ab');
	t.is(fitText('日本語です', 5, '…'), '日本…');
	t.is(textWidth(fitText('日本語です', 6, '…')), 6, 'padded when a wide character does not fit');
	t.is(fitText('abcdef', 4, '~'), 'abc~');
	t.is(fitText('abc', 0, '…'), '');
});

test('fitMiddle keeps both ends, never cuts through a wide character or strands a combining mark, and pads', t => {
	t.is(fitMiddle('abcdefghij', 7, '…'), 'abc…hij', 'half of what fits goes to each end; the odd column to the tail');
	t.is(fitMiddle('abcdefghij', 7, '…', 2), 'ab…ghij', 'a given head; the tail takes the rest');
	t.is(fitMiddle('abcdefghij', 7, '...'), 'ab...ij', 'an ASCII ellipsis is three columns');
	t.is(fitMiddle('abcdefghij', 7, '~', 2, false), 'ab~ghij');
	t.is(fitMiddle('ab', 7, '…'), 'ab     ');
	t.is(fitMiddle('ab', 7, '…', 3, false), 'ab');
	t.is(fitMiddle('日本語のテキストです', 9, '…'), '日本…です');
	t.is(fitMiddle('日本語のテキストです', 10, '…', 3), '日…トです ', 'the column 本 cannot use at the head goes to the tail');
	t.is(fitMiddle('日本語のテキストです', 10, '…', 3, false), '日…トです');
	t.is(fitMiddle('abc日本語', 6, '…', 2), 'ab…語 ', 'the tail stops before a wide character that does not fit');
	t.is(fitMiddle('abcde\u0301fg', 5, '…', 2), 'ab…fg', 'no combining mark without its base after the ellipsis');
	t.is(fitMiddle('abcdef', 1, '…'), '…');
	t.is(fitMiddle('abcdef', 0, '…'), '');
	for (let width = 1; width <= 21; width++) {
		t.true(textWidth(fitMiddle('日本語のテキストですabc', width, '…', undefined, false)) <= width, `at most ${width} columns`);
	}
});

test('displayText removes escape sequences, controls and bidi overrides; ASCII mode maps the rest', t => {
	const clean = displayText(hostile, 'unicode');
	t.notRegex(clean, unsafe, JSON.stringify(clean));
	t.true(clean.startsWith('evil'));
	t.true(clean.endsWith('tail'));
	const ascii = displayText(`${hostile}ünï日本`, 'ascii');
	t.regex(ascii, /^[\u0020-\u007E]*$/);
	t.is(toAscii('a→b'), 'a?b');
});

test('every formatter sanitises remote text itself (Ink keeps SGR and some OSC sequences)', t => {
	const glyphs = glyphsFor('unicode');
	let view = initialView({id: 1, url: `http://127.0.0.1:9/${hostile}`, intervalSeconds: 10, regex: hostile});
	view = applyResult(view, {
		siteId: 1, url: view.url, scheduledAt: 0, requestedAt: 0, httpStatusCode: 555, responseTimeMs: 3,
		regexMatchStatus: 2, errorKind: `\u001B[5m${hostile}` as never, errorMessage: hostile, finalUrl: hostile,
	});
	const cells = rowCells(view, tableColumns(200), {now: 0, slowMs: 2000, glyphs, charset: 'unicode'});
	t.notRegex(cells.statusCell + cells.rest, unsafe, JSON.stringify(cells));
	const line = recentCheckLine({
		checkId: 1, requestedAt: 0, scheduledAt: 0, responseTimeMs: 3, httpStatusCode: 555, regexMatchStatus: 2,
		errorKind: `\u001B[5m${hostile}`, errorMessage: hostile, finalUrl: hostile,
	}, 400, glyphs, 'unicode');
	t.notRegex(line, unsafe, JSON.stringify(line));
	t.regex(line, /evil.*tail/);
	const totals = {
		sites: 1, up: 0, down: 1, paused: 0, pending: 0, hosts: 1, inFlight: 0, stalledInFlight: 0, waiting: 0, waitingOnHosts: 0, suspectInFlight: 0, limit: 8,
		limitReason: hostile, started: 1, completed: 1, skipped: 0, skippedClientBusy: 0, skippedHostBusy: 0, heldSlots: 0, checksPerSecond1s: 0, checksPerSecond1m: 0,
		timeoutRate1m: 0, errorRate1m: 1, latenessP50Ms: 0, latenessP99Ms: 0, eventLoopDelayP99Ms: 0,
		cpuUtilisation: 0, startedAt: 0, now: 0,
	};
	const header = flowSegments(headerSegments({
		totals, writer: {state: hostile, queued: 0, written: 0}, workers: 1, now: 0, charset: 'unicode',
	}), 400, 4, '…').join('\n');
	t.notRegex(header.replaceAll('\n', ' '), unsafe, JSON.stringify(header));
	for (const state of [
		{...initialUiState, quitting: true},
		{...initialUiState, editingFilter: true, filter: hostile},
		{...initialUiState, filter: `/${hostile}(/`},
	]) {
		const status = statusLine({
			state, filter: compileFilter(state.filter, 2000), shown: 0, total: 1, progress: hostile, glyphs, charset: 'unicode',
		});
		t.notRegex(status.text, unsafe, JSON.stringify(status.text));
	}
});
