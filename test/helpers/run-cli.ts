import {spawn, type ChildProcess} from 'node:child_process';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {DatabaseTarget} from '../../source/storage/types.js';

/** The built launcher, exactly as a user runs it (`npm test` builds before ava runs). */
export const binPath = fileURLToPath(new URL('../../bin/webmon-tui.js', import.meta.url));

export type CliRun = {
	readonly child: ChildProcess;
	/** Resolves when the process exits. */
	readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>;
	/** Resolves when stdout or stderr has printed text matching `pattern`. */
	waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
	/** What the process printed so far. */
	output(): {stdout: string; stderr: string};
};

/**
Starts the CLI as a child process with `args`. The environment is the test's minus DATABASE_URL, so a
run uses exactly the database its flags name. `as` runs it as another user (a test running as root).
*/
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, as: {uid?: number; gid?: number} = {}): CliRun {
	const {DATABASE_URL: _ignored, ...base} = process.env;
	// Coverage (c8) is of the code the tests run in-process: a CLI child would write its own coverage
	// files (which another user cannot) and start slower. Node passes NODE_V8_COVERAGE on to children
	// unless the environment names it, so it is named, empty.
	const child = spawn(process.execPath, [binPath, ...args], {env: {...base, ...env, NODE_V8_COVERAGE: ''}, stdio: ['ignore', 'pipe', 'pipe'], ...as});
	let stdout = '';
	let stderr = '';
	const watchers: Array<() => void> = [];
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
		for (const watcher of watchers) {
			watcher();
		}
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
		for (const watcher of watchers) {
			watcher();
		}
	});
	const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>(resolve => {
		child.on('close', (code, signal) => {
			resolve({code, signal, stdout, stderr});
		});
	});
	return {
		child,
		exited,
		output: () => ({stdout, stderr}),
		async waitFor(pattern, timeoutMs = 30_000) {
			await new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => {
					reject(new Error(`timed out waiting for ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`));
				}, timeoutMs);
				const check = () => {
					if (pattern.test(stdout) || pattern.test(stderr)) {
						clearTimeout(timer);
						resolve();
					}
				};

				watchers.push(check);
				check();
			});
		},
	};
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], env?: NodeJS.ProcessEnv, as?: {uid?: number; gid?: number}) {
	return startCli(args, env, as).exited;
}

/**
The flags that point the CLI at `target`: `--data-dir` for PGlite, a predecessor-format
`--db-config` file (written into `directory`) for PostgreSQL, so the config path is exercised too,
plus `--data-dir directory` so its journal and site cache stay in the test's scratch directory.
*/
export async function databaseFlags(target: DatabaseTarget, directory: string): Promise<string[]> {
	if (target.kind === 'pglite') {
		return ['--data-dir', target.dataDir];
	}

	const url = new URL(target.uri);
	const file = path.join(directory, 'db.json');
	await writeFile(file, JSON.stringify({
		db_type: 'postgresql',
		db_user: decodeURIComponent(url.username),
		db_pass: target.password ?? '',
		db_name: url.pathname.slice(1),
		db_host: url.hostname,
		db_port: url.port || '5432',
		db_ssl: 'disable',
	}));
	return ['--db-config', file, '--data-dir', directory];
}
