import {spawn} from 'node:child_process';
import {statfs} from 'node:fs/promises';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {PGlite} from '@electric-sql/pglite';
import {pgliteOptions} from './pglite-initdb.js';

/** What PostgreSQL needs free to start after an unclean stop: a new write-ahead log segment, and a little more. */
const roomToReopen = 17 * 1024 * 1024;

/**
Opens and closes a PGlite data directory in a short-lived child process: PostgreSQL replays its
write-ahead log and shuts down cleanly, so this process can open the directory afterwards without a
recovery of its own. Attempts that may well fail (a disk still full) must not run in this process:
a PGlite that fails to start keeps ~40 MB of its process's memory for good (measured: twelve failed
starts, +470 MB RSS). Rejects with the child's last line of error output.
*/
export async function recoverPgliteDataDir(dataDir: string): Promise<void> {
	const script = fileURLToPath(import.meta.url);
	// Under tsx (the tests) this module is the .ts source, and the child needs tsx too.
	const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
	const child = spawn(process.execPath, ['--liftoff-only', ...loader, script, dataDir], {stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000});
	let errors = '';
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		errors += chunk;
	});
	const code = await new Promise<number | null>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', resolve);
	});
	if (code !== 0) {
		throw new Error(errors.trim().split('\n').at(-1) || `the recovery process exited with code ${code}`);
	}
}

/** Why a reopening failed, in words: a disk with too little room says so, with numbers. */
export async function describeReopenFailure(dataDir: string, error: unknown): Promise<string> {
	const info = await statfs(dataDir).catch(() => undefined);
	const free = info ? info.bavail * info.bsize : Infinity;
	if (free < roomToReopen) {
		const mebibytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
		return `the disk is full: ${mebibytes(free)} MB free, PostgreSQL needs about ${mebibytes(roomToReopen)} MB to reopen`;
	}

	return error instanceof Error ? error.message : String(error);
}

if (import.meta.filename === process.argv[1]) {
	// The child: one line on stderr when the directory cannot be opened, never a stack trace. It exits
	// explicitly: a PGlite that failed to start keeps the event loop alive.
	try {
		const pglite = new PGlite(process.argv[2], pgliteOptions);
		await pglite.waitReady;
		await pglite.close();
		process.exit(0);
	} catch (error) {
		process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	}
}
