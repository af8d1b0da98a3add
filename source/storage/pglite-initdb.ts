import {existsSync, readdirSync, renameSync, rmSync} from 'node:fs';
import {execFile} from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {PGlite} from '@electric-sql/pglite';
import {DatabaseUnavailableError} from '../errors.js';
import {sanitizeForTerminal} from '../text/sanitize.js';
import {describeFileSystemFailure, fileSystemFailure, type FileSystemFailure} from './file-system-errors.js';

/**
PGlite's settings for webmon-tui: 16 MB of shared buffers instead of PostgreSQL's 128 MB. The tool
appends rows and reads recent ones; the operating system caches the data files anyway, and PGlite's
WebAssembly memory never shrinks. Measured with 100,000 sites: 940 -> 817 MB peak RSS.
*/
export const pgliteOptions = {postgresqlconf: ['shared_buffers = 16MB']};

/**
Where initdb builds a new cluster inside the data directory before it moves up. A directory holds a
cluster once it has PG_VERSION, and PostgreSQL's initdb writes that file before anything else, so
building in place would leave, after a failure or a kill, a half-built cluster that looks complete.
*/
const stagingName = '.webmon-initdb';

const initdbTimeoutMs = 120_000;

/**
Builds a new cluster in the staging directory inside `dataDir`, by initdb in a short-lived child
process: initdb runs a WebAssembly instance of its own whose memory would otherwise stay in this
process's peak RSS for the rest of its life (a first run of 100,000 sites peaked at 1.21 GB against
0.82 GB on an existing directory). Resolves false, doing nothing, when `dataDir` already holds a
cluster; true once the staged cluster is complete (`installStagedCluster` moves it up, or
`removeStagedCluster` drops it). `signal` stops initdb. The caller holds the directory's lock.

@throws {DatabaseUnavailableError} One line saying why (`no space left on device (ENOSPC); ...`),
after removing everything initdb wrote.
*/
export async function stageCluster(dataDir: string, {signal}: {signal?: AbortSignal} = {}): Promise<boolean> {
	if (existsSync(path.join(dataDir, 'PG_VERSION'))) {
		return false;
	}

	// Left by an initdb that was killed; nobody else uses it while we hold the lock.
	removeStagedCluster(dataDir);
	const failure = await runInitdb(path.join(dataDir, stagingName), signal);
	if (failure) {
		removeStagedCluster(dataDir);
		throw new DatabaseUnavailableError(`cannot create a PGlite database in ${dataDir}: ${sanitizeForTerminal(failure)}`);
	}

	return true;
}

/** Moves the cluster `stageCluster` built into `dataDir`; the staging directory goes either way. */
export function installStagedCluster(dataDir: string): void {
	try {
		moveUp(path.join(dataDir, stagingName), dataDir);
	} finally {
		removeStagedCluster(dataDir);
	}
}

/** Removes the staging directory and whatever initdb wrote into it. */
export function removeStagedCluster(dataDir: string): void {
	rmSync(path.join(dataDir, stagingName), {recursive: true, force: true});
}

/** Moves the new cluster from `staging` into `dataDir`, PG_VERSION last; undoes the move on failure. */
function moveUp(staging: string, dataDir: string): void {
	const entries = readdirSync(staging).sort((a, b) => Number(a === 'PG_VERSION') - Number(b === 'PG_VERSION'));
	const moved: string[] = [];
	try {
		for (const entry of entries) {
			renameSync(path.join(staging, entry), path.join(dataDir, entry));
			moved.push(entry);
		}
	} catch (error) {
		for (const entry of moved) {
			rmSync(path.join(dataDir, entry), {recursive: true, force: true});
		}

		const failure = fileSystemFailure(error);
		throw new DatabaseUnavailableError(
			`cannot create a PGlite database in ${dataDir}: ${sanitizeForTerminal(describeFileSystemFailure(failure))}`,
			{cause: error},
		);
	}
}

/** Runs initdb into `directory` in a child process; resolves with why it failed, or undefined. */
async function runInitdb(directory: string, signal: AbortSignal | undefined): Promise<string | undefined> {
	// Under tsx (the tests) this module is the .ts source, and the child needs tsx too.
	const self = fileURLToPath(import.meta.url);
	// Liftoff only: initdb runs once, and without TurboFan compiling PostgreSQL's WebAssembly in the
	// background it peaks at 0.57 GB instead of 1.1 GB, and finishes sooner (1.8 s against 1.9 s).
	const argv = ['--liftoff-only', ...(self.endsWith('.ts') ? ['--import', 'tsx'] : []), self, directory, String(process.pid)];
	return new Promise(resolve => {
		execFile(process.execPath, argv, {timeout: initdbTimeoutMs, signal}, (error, stdout, stderr) => {
			if (!error) {
				resolve(undefined);
				return;
			}

			if (signal?.aborted) {
				resolve('initdb was stopped');
				return;
			}

			if (error.killed) {
				resolve(`initdb did not finish within ${initdbTimeoutMs / 1000} s`);
				return;
			}

			const reported = parseFailure(stdout);
			if (reported) {
				resolve(describeFileSystemFailure(reported));
				return;
			}

			// The child died without reporting (a signal, out of memory): what it printed is all there is.
			const printed = stderr.split('\n').find(line => line.trim() !== '');
			resolve(`initdb ended with ${error.signal ?? `exit code ${String(error.code)}`}${printed ? `: ${printed.trim()}` : ''}`);
		});
	});
}

function parseFailure(stdout: string): FileSystemFailure | undefined {
	const last = stdout.trim().split('\n').at(-1);
	try {
		const parsed = JSON.parse(last ?? '') as Partial<FileSystemFailure>;
		return typeof parsed.message === 'string' ? {code: parsed.code, message: parsed.message} : undefined;
	} catch {
		return undefined;
	}
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	// A parent killed (SIGKILL, or a SIGTERM while it reads the sites file) must not leave initdb
	// writing on: the next start would take the directory over and build in the same staging
	// directory. An orphan is adopted by another process, so its parent pid changes. The parent's pid
	// comes in argv: read here, after the modules loaded, `process.ppid` may already be the adopter's.
	const parent = Number(process.argv[3]);
	setInterval(() => {
		if (Number.isInteger(parent) && process.ppid !== parent) {
			process.exit(1);
		}
	}, 100).unref();
	try {
		const pglite = new PGlite(process.argv[2], pgliteOptions);
		await pglite.waitReady;
		await pglite.close();
	} catch (error) {
		// One JSON line for the parent, which turns it into the user's message. Exit at once: a
		// PGlite that failed half-way may keep handles open. Writes to a pipe are synchronous.
		process.stdout.write(`${JSON.stringify(fileSystemFailure(error))}\n`);
		process.exit(1);
	}
}
