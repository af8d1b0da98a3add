import type {EngineTotals} from '../engine/engine-types.js';
import {storageTrouble, type WriterStatus} from '../storage/writer-status.js';
import {formatDuration} from './site-display.js';
import {displayText, fitText, textWidth} from './text-width.js';
import type {Charset} from './types.js';

/** What the header shows, besides the engine's totals. */
export type HeaderInput = {
	readonly totals: EngineTotals;
	readonly writer: WriterStatus;
	readonly workers: number;
	readonly now: number;
	readonly charset: Charset;
};

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

/**
The header's facts, in reading order; at 80 columns they flow into four lines: sites and rate;
failure rates, lateness (slot to request written) and event-loop delay; the concurrency limit; the
database writer and the run's uptime.
*/
export function headerSegments(input: HeaderInput): string[] {
	const {totals, writer} = input;
	const text = (value: string) => displayText(value, input.charset);
	let database = `db ${text(writer.state)}: ${writer.queued} queued, ${writer.written} stored`;
	if (writer.journaled) {
		database += `, ${writer.journaled} journaled`;
	}

	for (const part of storageTrouble(writer, totals.heldSlots)) {
		database += `, ${text(part)}`;
	}

	if (writer.nextRetryInMs !== undefined) {
		database += `, retry in ${Math.ceil(writer.nextRetryInMs / 1000)}s`;
	}

	return [
		`sites ${totals.sites}: up ${totals.up}, down ${totals.down}, paused ${totals.paused}, pending ${totals.pending}`,
		`checks/s ${totals.checksPerSecond1s.toFixed(1)} (1m ${totals.checksPerSecond1m.toFixed(1)})`,
		`timeouts ${percent(totals.timeoutRate1m)}`,
		`errors ${percent(totals.errorRate1m)}`,
		`late p99 ${Math.round(totals.latenessP99Ms)}ms`,
		`loop p99 ${Math.round(totals.eventLoopDelayP99Ms)}ms`,
		`limit ${totals.limit}, in flight ${totals.inFlight}${totals.stalledInFlight > 0 ? ` (${totals.stalledInFlight} on silent servers)` : ''}, waiting ${totals.waiting}${totals.waitingOnHosts > 0 ? ` (${totals.waitingOnHosts} for their host)` : ''} (${text(totals.limitReason)})`,
		`workers ${input.workers}`,
		database,
		`run ${totals.startedAt > 0 ? formatDuration(input.now - totals.startedAt) : 'not started'}`,
	];
}

/**
Packs segments, in order, into at most `maxLines` lines of `width` columns, two spaces apart. A
segment wider than a line is cut with `ellipsis`; what does not fit in `maxLines` is dropped, so
the order of `segments` decides what a small terminal loses.
*/
export function flowSegments(segments: readonly string[], width: number, maxLines: number, ellipsis: string): string[] {
	const lines: string[] = [];
	let line = '';
	let lineWidth = 0;
	for (const segment of segments) {
		const segmentWidth = textWidth(segment);
		if (line !== '' && lineWidth + 2 + segmentWidth <= width) {
			line += '  ' + segment;
			lineWidth += 2 + segmentWidth;
			continue;
		}

		if (line !== '') {
			lines.push(line);
			if (lines.length === maxLines) {
				return lines;
			}
		}

		line = fitText(segment, width, ellipsis, false);
		lineWidth = textWidth(line);
	}

	if (line !== '') {
		lines.push(line);
	}

	return lines;
}
