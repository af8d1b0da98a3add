import process from 'node:process';
import {render, type Instance} from 'ink';
import {App} from './app.js';
import type {AppProps} from './types.js';

/** Streams and terminal choices for `renderApp`; every field has a default. */
export type RenderAppOptions = {
	/** Default `process.stdout`. */
	readonly stdout?: NodeJS.WriteStream;
	/** Default `process.stdin`. When it is not a TTY the UI shows but reads no keys. */
	readonly stdin?: NodeJS.ReadStream;
	/** Default `process.stderr`. */
	readonly stderr?: NodeJS.WriteStream;
	/**
	Draw on the alternate screen, as htop and k9s do, so quitting gives the shell back as it was.
	Default true. Only applies to an interactive TTY.
	*/
	readonly alternateScreen?: boolean;
	/**
	Default `stdout.isTTY`. The CLI already chose the interactive front end (a TTY, not CI), so Ink's
	own CI detection is not consulted a second time.
	*/
	readonly interactive?: boolean;
};

/** The running UI. */
export type AppHandle = {
	/** Resolves when the UI has been unmounted (rejects with a render error). */
	waitUntilExit(): Promise<void>;
	/** Restores the terminal (cursor, raw mode, alternate screen) and removes the UI. Idempotent. */
	unmount(): void;
};

const mounted = new Map<NodeJS.WritableStream, Instance>();

/**
Renders the App with Ink 8: at most 10 frames a second (`maxFps`), only changed lines rewritten
(`incrementalRendering`), Ctrl-C delivered to the App as a key (`exitOnCtrlC: false`) so the first
one drains and the second forces, and the console left alone (`patchConsole: false`: other modules'
logging goes through the CLI, not into the frame).

The terminal is restored on every exit path: `unmount()`; process exit and signals (Ink's own
`signal-exit` hook unmounts); and crashes, where an `uncaughtExceptionMonitor` listener unmounts
before Node prints the error, so the stack trace lands on the normal screen instead of vanishing
with the alternate one.
*/
export function renderApp(props: AppProps, options: RenderAppOptions = {}): AppHandle {
	const stdout = options.stdout ?? process.stdout;
	const stdin = options.stdin ?? process.stdin;
	// `webmon-tui < /dev/null` on a terminal: Ink would throw enabling raw mode; watch without keys.
	const keyboard = (props.keyboard ?? true) && Boolean(stdin.isTTY);
	const instance = render(<App {...props} keyboard={keyboard}/>, {
		stdout,
		stdin,
		stderr: options.stderr ?? process.stderr,
		exitOnCtrlC: false,
		patchConsole: false,
		maxFps: 10,
		incrementalRendering: true,
		alternateScreen: options.alternateScreen ?? true,
		interactive: options.interactive ?? Boolean(stdout.isTTY),
	});
	mounted.set(stdout, instance);

	const onCrash = () => {
		unmount();
	};

	function unmount() {
		process.off('uncaughtExceptionMonitor', onCrash);
		if (mounted.get(stdout) === instance) {
			mounted.delete(stdout);
		}

		instance.unmount();
	}

	process.on('uncaughtExceptionMonitor', onCrash);
	const exited = instance.waitUntilExit().finally(() => {
		process.off('uncaughtExceptionMonitor', onCrash);
		if (mounted.get(stdout) === instance) {
			mounted.delete(stdout);
		}
	});
	return {
		async waitUntilExit() {
			await exited;
		},
		unmount,
	};
}

/**
Last-resort terminal restore for exit paths that bypass `AppHandle.unmount` (a fatal error in the
CLI before it reaches its handle, say): unmounts a UI still drawn on `stdout`, which leaves the
alternate screen and turns raw mode off, then shows the cursor. Safe to call more than once and
when no UI was ever rendered.
*/
export function restoreTerminal(stdout: NodeJS.WriteStream = process.stdout): void {
	const instance = mounted.get(stdout);
	if (instance) {
		mounted.delete(stdout);
		instance.unmount();
	}

	if (stdout.isTTY) {
		try {
			// Show the cursor. Nothing else: leaving an alternate screen that is not active would move
			// the cursor to a stale saved position on some terminals.
			stdout.write('\u001B[?25h');
		} catch {
			// The stream may already be closed on the way out.
		}
	}
}
