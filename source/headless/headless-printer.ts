import type {Writable} from 'node:stream';
import type {EventEmitter} from 'node:events';
import type {EngineEvents, MonitorHandle} from '../engine/engine-types.js';
import type {CheckResult} from '../engine/types.js';
import {watchOutput} from '../shutdown/output-loss.js';
import type {WriterStatus} from '../storage/writer-status.js';
import {formatCheckJson, formatCheckLine} from './format-check-line.js';
import {formatSummary} from './format-summary.js';

export type HeadlessOptions = {
	readonly engine: MonitorHandle & EventEmitter<EngineEvents>;
	readonly format: 'text' | 'ndjson';
	readonly stdout: Writable;
	readonly stderr: Writable;
	/** How often the summary line goes to stderr, ms. */
	readonly summaryEveryMs?: number;
	readonly writerStatus?: () => WriterStatus;
	/** Writing to stdout failed (its error code): nothing is written to it again. */
	readonly onOutputLost?: (code: string) => void;
};

/**
The headless front end: one line per check on stdout, a summary every 10 s on stderr. Lines are
buffered and written once per event-loop turn, so a burst of results is one write, not thousands.
Once stdout fails (`EPIPE` when the reader is gone) the lines are dropped: results are still stored,
and `onOutputLost` is how the run learns that nobody is reading.
*/
export function startHeadlessPrinter(options: HeadlessOptions): {stop(): void; printSummary(): void} {
	const format = options.format === 'ndjson' ? formatCheckJson : formatCheckLine;
	let pending: string[] = [];
	let scheduled = false;
	const output = watchOutput(options.stdout, code => {
		pending = [];
		options.onOutputLost?.(code);
	});
	const flush = () => {
		scheduled = false;
		if (pending.length > 0 && !output.lost) {
			const text = pending.join('\n') + '\n';
			pending = [];
			options.stdout.write(text);
		}
	};

	const onResult = (result: CheckResult) => {
		if (output.lost) {
			return;
		}

		pending.push(format(result));
		if (!scheduled) {
			scheduled = true;
			setImmediate(flush);
		}
	};

	const printSummary = () => {
		options.stderr.write(formatSummary(options.engine.snapshot().totals, options.writerStatus?.()) + '\n');
	};

	options.engine.on('result', onResult);
	const timer = setInterval(printSummary, options.summaryEveryMs ?? 10_000);
	timer.unref();
	return {
		stop() {
			clearInterval(timer);
			options.engine.off('result', onResult);
			flush();
			output.dispose();
		},
		printSummary,
	};
}
