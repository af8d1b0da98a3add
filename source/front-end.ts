import type {EventEmitter} from 'node:events';
import type {Writable} from 'node:stream';
import type {DatabasePool} from 'slonik';
import type {EngineEvents, MonitorHandle} from './engine/engine-types.js';
import {startHeadlessPrinter} from './headless/headless-printer.js';
import type {WriterStatus} from './headless/format-summary.js';
import {watchOutput} from './shutdown/output-loss.js';
import {recentChecks} from './storage/index.js';
import {renderApp, restoreTerminal, terminalCapabilities, type AppProps} from './ui/index.js';

export type FrontEndOptions = {
	/** Chosen once at the entry point: stdout is a TTY, not CI, and --no-tui was not given. */
	readonly interactive: boolean;
	readonly monitor: MonitorHandle & EventEmitter<EngineEvents>;
	readonly workers: number;
	readonly pool: DatabasePool;
	/** Stores sites' paused flags: in the database, or once it is reached ('deferred'). */
	readonly setPaused: AppProps['setPaused'];
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

	// Lines written to the terminal under the UI would be overwritten or tear the frame: keep them for later.
	const held: string[] = [];
	const app = renderApp({
		monitor: options.monitor,
		writerStatus: options.writerStatus,
		workers: options.workers,
		async loadRecentChecks(siteId) {
			return recentChecks(options.pool, siteId, 20);
		},
		setPaused: options.setPaused,
		onQuit: options.onQuit,
		onForceQuit: options.onForceQuit,
		shutdownProgress: options.shutdownProgress,
		...terminalCapabilities(options.env, process.platform),
	}, {interactive: true});
	const writeHeld = () => {
		for (const line of held.splice(0)) {
			write(line);
		}
	};

	const terminal = watchTerminal(code => {
		// Nobody can see the UI any more: stop rendering (the CPU is the drain's now), and let lines
		// through to stderr, which may well be a log file that outlives the terminal.
		app.unmount();
		writeHeld();
		options.onOutputLost('terminal', code);
	});
	return {
		log(line) {
			if (terminal.lost) {
				write(line);
			} else {
				held.push(line);
			}
		},
		async close() {
			app.unmount();
			if (!terminal.lost) {
				restoreTerminal();
			}

			terminal.dispose();
			writeHeld();
		},
	};
}

/**
Calls `onLost` once when the terminal under the UI goes away: a write to it fails (`EIO`), or its
input ends or fails, which is how a hung-up terminal reads (a key never ends the input in raw mode).
Until disposed it also keeps those errors from crashing the process.
*/
function watchTerminal(onLost: (code: string) => void) {
	let lost = false;
	const lose = (code: string) => {
		if (!lost) {
			lost = true;
			onLost(code);
		}
	};

	const watches = [watchOutput(process.stdout, lose), watchOutput(process.stdin, lose)];
	const onEnd = () => {
		lose('EOF');
	};

	if (process.stdin.isTTY) {
		process.stdin.on('end', onEnd);
	}

	return {
		get lost() {
			return lost;
		},
		dispose() {
			for (const watch of watches) {
				watch.dispose();
			}

			process.stdin.off('end', onEnd);
		},
	};
}
