import type {EventEmitter} from 'node:events';
import type {Writable} from 'node:stream';
import type {DatabasePool} from 'slonik';
import type {EngineEvents, MonitorHandle} from './engine/engine-types.js';
import {startHeadlessPrinter} from './headless/headless-printer.js';
import type {WriterStatus} from './storage/writer-status.js';

export type FrontEndOptions = {
	/** Chosen once at the entry point (`chooseFrontEnd`): stdout is a TTY, not CI, not TERM=dumb, no --no-tui. */
	readonly interactive: boolean;
	readonly monitor: MonitorHandle & EventEmitter<EngineEvents>;
	readonly workers: number;
	readonly pool: DatabasePool;
	readonly writerStatus: () => WriterStatus;
	readonly format: 'text' | 'ndjson';
	readonly stdout: Writable;
	readonly stderr: Writable;
	readonly summaryEveryMs?: number | undefined;
	readonly env: NodeJS.ProcessEnv;
	/** The user asked to quit (q, Ctrl-C in the UI). */
	readonly onQuit: () => void;
	/** The user insisted (a second Ctrl-C in the UI). */
	readonly onForceQuit: () => void;
	/**
	Nobody can read the output any more: stdout failed (headless), or the terminal under the UI went
	away (a write failed, or its input ended). `code`: the error's code, or `EOF`.
	*/
	readonly onOutputLost: (stream: 'stdout' | 'terminal', code: string) => void;
	/** What the drain is doing, for the UI's status line. */
	readonly shutdownProgress: () => string | undefined;
};

/** The running front end, whichever it is. */
export type FrontEnd = {
	/** A message for the user: stderr when headless; kept until the UI closes (or its terminal goes away) otherwise. */
	log(line: string): void;
	/** Closes the front end (restoring the terminal) and prints what waited, plus the final summary. */
	close(): Promise<void>;
};

/**
Starts the Ink UI or the headless printer over the same monitor. The UI (Ink, React: ~18 MB of a
process) is loaded only when it is shown.
*/
export async function startFrontEnd(options: FrontEndOptions): Promise<FrontEnd> {
	const write = (line: string) => options.stderr.write(`webmon-tui: ${line}\n`);
	if (!options.interactive) {
		const printer = startHeadlessPrinter({
			engine: options.monitor,
			format: options.format,
			stdout: options.stdout,
			stderr: options.stderr,
			summaryEveryMs: options.summaryEveryMs,
			writerStatus: options.writerStatus,
			onOutputLost(code) {
				options.onOutputLost('stdout', code);
			},
		});
		return {
			log: write,
			async close() {
				printer.stop();
				printer.printSummary();
			},
		};
	}

	const {startInteractiveFrontEnd} = await import('./interactive-front-end.js');
	return startInteractiveFrontEnd(options, write);
}
