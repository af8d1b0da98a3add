import {spawn} from 'node:child_process';
import {readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {ExecutionContext} from 'ava';
import {waitFor, waitForValue} from './wait-for.js';

/** A tmux server of one test, with the session `run` showing a command in a real pseudo-terminal. */
export type TmuxRun = {
	/** `tmux send-keys -t run ...` */
	send(...keys: string[]): Promise<void>;
	/** What the terminal shows now. */
	screen(): Promise<string>;
	/** Resolves with the screen once it matches `pattern`; throws, showing the last screen, after `timeoutMs`. */
	waitForScreen(pattern: RegExp, timeoutMs?: number): Promise<string>;
	/** The pid of the pane's process (the command itself when it was `exec`'d). */
	panePid(): Promise<number>;
	/** Kills the session: the pseudo-terminal goes away under the command, as when a terminal window closes. */
	killSession(): Promise<void>;
};

let sessions = 0;

/**
Starts `command` (shell syntax) in a 100x30 tmux session with TERM=xterm-256color and a UTF-8 locale,
without CI, DATABASE_URL or TMUX from the test's environment. tmux gives the command a real
pseudo-terminal of a known size and shows the screen as a user sees it; with `raw`, the bytes written
to the terminal are kept in that file too (pipe-pane). A second session keeps the server, which
reaps the command's process, alive after `killSession`. The server is killed in teardown.
*/
export async function startTmux(t: ExecutionContext, command: string, options: {raw?: string} = {}): Promise<TmuxRun> {
	const socket = `webmon-test-${process.pid}-${++sessions}`;
	const {CI: _ci, DATABASE_URL: _url, TMUX: _tmux, ...env} = process.env;
	const tmux = async (...args: string[]) => new Promise<string>((resolve, reject) => {
		const child = spawn('tmux', ['-L', socket, ...args], {env: {...env, TERM: 'xterm-256color', LANG: 'C.UTF-8', NODE_V8_COVERAGE: ''}});
		let output = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			output += chunk;
		});
		child.on('error', reject);
		child.on('close', () => {
			resolve(output);
		});
	});
	t.teardown(async () => {
		await tmux('kill-server');
	});
	await tmux('new-session', '-d', '-s', 'keep', 'sleep 600');
	// The command waits for the gate, which opens once pipe-pane is attached: not a byte goes unrecorded.
	const gate = path.join(tmpdir(), `${socket}.gate`);
	t.teardown(async () => rm(gate, {force: true}));
	await tmux('new-session', '-d', '-s', 'run', '-x', '100', '-y', '30', `while [ ! -e ${JSON.stringify(gate)} ]; do sleep 0.05; done; ${command}`);
	if (options.raw) {
		await tmux('pipe-pane', '-o', '-t', 'run', `cat >> ${JSON.stringify(options.raw)}`);
	}

	await writeFile(gate, '');

	const screen = async () => tmux('capture-pane', '-p', '-t', 'run');
	return {
		async send(...keys) {
			await tmux('send-keys', '-t', 'run', ...keys);
		},
		screen,
		async waitForScreen(pattern, timeoutMs = 30_000) {
			return waitForValue(screen, text => pattern.test(text), timeoutMs, {everyMs: 100, failure: last => `no ${pattern} on screen:\n${last}`});
		},
		async panePid() {
			return Number((await tmux('display-message', '-p', '-t', 'run', '#{pane_pid}')).trim());
		},
		async killSession() {
			await tmux('kill-session', '-t', 'run');
		},
	};
}

/** Resolves with the file's text once it matches `pattern` (a missing file reads as empty); throws after `timeoutMs`. */
export async function waitForFile(file: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
	return waitForValue(async () => readFile(file, 'utf8').catch(() => ''), text => pattern.test(text), timeoutMs, {everyMs: 100, failure: last => `no ${pattern} in ${file}:\n${last}`});
}

/** Resolves once the process `pid` is gone (reaped by its parent); throws after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs = 60_000): Promise<void> {
	await waitFor(() => !isAlive(pid), timeoutMs, {everyMs: 100, what: `the end of process ${pid}`});
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
