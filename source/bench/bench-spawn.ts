import {spawn, type ChildProcess, type StdioOptions} from 'node:child_process';
import {once} from 'node:events';
import {readFile} from 'node:fs/promises';
import {createInterface} from 'node:readline';
import type {Readable} from 'node:stream';
import {descendantsOf} from './bench-process-sampler.js';

/**
Starting the fleet and the CLI as processes of their own: their CPU and memory are then theirs alone,
and each gets the highest open-file limit the machine allows (a 100,000-site run holds thousands of
sockets on each side, and the soft limit is often far below the hard one).
*/

// Raise the soft limit as far as it goes: to a million where the hard limit allows, else to the hard
// limit. The effective value is reported so a run that could not raise it says so.
const raiseLimit = 'ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; echo "bench-nofile $(ulimit -n) hard $(ulimit -Hn)" >&2';

/** A process started under the wrapper shell. */
export type WrappedProcess = {
	readonly child: ChildProcess;
	/** Resolves with the pid of the real program (the shell's child, or the shell itself after exec). */
	readonly programPid: Promise<number>;
	/** Resolves when the wrapper exits. */
	readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
};

/** What `spawnWrapped` needs. */
export type SpawnWrappedOptions = {
	readonly argv: readonly string[];
	readonly env: NodeJS.ProcessEnv;
	readonly stdio: StdioOptions;
	/**
	Keep the shell as the parent and print its children's CPU time (`times`) after the program
	exits: exact CPU of the program and every descendant it reaped, which sampling /proc cannot give
	for the last second of a run.
	*/
	readonly reportTimes: boolean;
	readonly cwd?: string;
};

async function findByCommand(pids: readonly number[], command: string): Promise<number | undefined> {
	for (const pid of pids) {
		const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
		if (cmdline.split('\0', 1)[0] === command) {
			return pid;
		}
	}

	return undefined;
}

/** Starts `argv` under `bash -c` with the open-file limit raised. */
export function spawnWrapped(options: SpawnWrappedOptions): WrappedProcess {
	const script = options.reportTimes
		? `${raiseLimit}; "$@"; code=$?; echo bench-times >&2; times >&2; exit $code`
		: `${raiseLimit}; exec "$@"`;
	const child = spawn('bash', ['-c', script, 'bench-wrapper', ...options.argv], {
		env: options.env,
		stdio: options.stdio,
		cwd: options.cwd,
	});
	const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>(resolve => {
		child.once('exit', (code, signal) => {
			resolve({code, signal});
		});
	});
	const programPid = options.reportTimes
		? (async () => {
			for (let attempt = 0; attempt < 200; attempt++) {
				// The shell also forks for its `$(...)`; the program is the child running argv[0].
				const pid = await findByCommand(await descendantsOf(child.pid!), options.argv[0]!);
				if (pid !== undefined) {
					return pid;
				}

				await new Promise(resolve => setTimeout(resolve, 25));
			}

			return child.pid!;
		})()
		: Promise.resolve(child.pid!);
	return {child, programPid, exited};
}

/** Calls `onLine` for every line of `stream`. */
export async function eachLine(stream: Readable, onLine: (line: string) => void): Promise<void> {
	const lines = createInterface({input: stream, crlfDelay: Infinity});
	lines.on('line', onLine);
	return once(lines, 'close').then(() => undefined);
}

/** Parses the `times` builtin's second line (`1m2.345s 0m3.210s`: children's user and system time). */
export function parseTimes(lines: readonly string[]): {userSeconds: number; systemSeconds: number} | undefined {
	const marker = lines.lastIndexOf('bench-times');
	const children = marker === -1 ? undefined : lines[marker + 2];
	const match = children === undefined ? null : /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(children.trim());
	if (!match) {
		return undefined;
	}

	return {
		userSeconds: (Number(match[1]) * 60) + Number(match[2]),
		systemSeconds: (Number(match[3]) * 60) + Number(match[4]),
	};
}

/** Sends `signal` to `pid`, ignoring a process that is already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(pid, signal);
	} catch {
		// Already exited.
	}
}

/** Waits for `exited`, at most `ms`; true when it exited in time. */
export async function exitedWithin(exited: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<false>(resolve => {
		timer = setTimeout(() => resolve(false), ms);
	});
	const result = await Promise.race([exited.then(() => true as const), timeout]);
	clearTimeout(timer);
	return result;
}

/** Signals a child that has not exited yet (never a pid that may have been reused). */
export function stopIfRunning(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.exitCode === null && child.signalCode === null) {
		child.kill(signal);
	}
}
