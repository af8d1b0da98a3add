import {watchOutput} from './shutdown/output-loss.js';
import {recentChecks} from './storage/index.js';
import {renderApp, restoreTerminal, terminalCapabilities} from './ui/index.js';
import type {FrontEnd, FrontEndOptions} from './front-end.js';

/** The Ink UI over the monitor; `write` puts a line on stderr. */
export function startInteractiveFrontEnd(options: FrontEndOptions, write: (line: string) => void): FrontEnd {
	// Lines written to the terminal under the UI would be overwritten or tear the frame: keep them for later.
	const held: string[] = [];
	const app = renderApp({
		monitor: options.monitor,
		writerStatus: options.writerStatus,
		workers: options.workers,
		async loadRecentChecks(siteId) {
			return recentChecks(options.pool, siteId, 20);
		},
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
