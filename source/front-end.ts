import type {EventEmitter} from 'node:events';
import type {Writable} from 'node:stream';
import type {DatabasePool} from 'slonik';
import type {EngineEvents, MonitorHandle} from './engine/engine-types.js';
import {startHeadlessPrinter} from './headless/headless-printer.js';
import type {WriterStatus} from './headless/format-summary.js';
import {recentChecks, setPaused} from './storage/index.js';
import {renderApp, restoreTerminal, terminalCapabilities} from './ui/index.js';

export type FrontEndOptions = {
	/** Chosen once at the entry point: stdout is a TTY, not CI, and --no-tui was not given. */
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
	/** What the drain is doing, for the UI's status line. */
	readonly shutdownProgress: () => string | undefined;
};

/** The running front end, whichever it is. */
export type FrontEnd = {
	/** A message for the user: stderr when headless; kept until the UI closes otherwise. */
	log(line: string): void;
	/** Closes the front end (restoring the terminal) and prints what waited, plus the final summary. */
	close(): Promise<void>;
};

/** Starts the Ink UI or the headless printer over the same monitor. */
export function startFrontEnd(options: FrontEndOptions): FrontEnd {
	const write = (line: string) => options.stderr.write(`webmon-tui: ${line}\n`);
	if (!options.interactive) {
		const printer = startHeadlessPrinter({
			engine: options.monitor,
			format: options.format,
			stdout: options.stdout,
			stderr: options.stderr,
			summaryEveryMs: options.summaryEveryMs,
			writerStatus: options.writerStatus,
		});
		return {
			log: write,
			async close() {
				printer.stop();
				printer.printSummary();
			},
		};
	}

	// Lines written to the terminal under the UI would be overwritten or tear the frame: keep them for later.
	const held: string[] = [];
	const app = renderApp({
		monitor: options.monitor,
		writerStatus: options.writerStatus,
		workers: options.workers,
		async loadRecentChecks(siteId) {
			return recentChecks(options.pool, siteId, 20);
		},
		async setPaused(siteIds, paused) {
			await setPaused(options.pool, siteIds, paused);
		},
		onQuit: options.onQuit,
		onForceQuit: options.onForceQuit,
		shutdownProgress: options.shutdownProgress,
		...terminalCapabilities(options.env, process.platform),
	}, {interactive: true});
	return {
		log(line) {
			held.push(line);
		},
		async close() {
			app.unmount();
			restoreTerminal();
			for (const line of held) {
				write(line);
			}
		},
	};
}
