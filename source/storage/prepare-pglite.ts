import {rmSync} from 'node:fs';
import path from 'node:path';
import {DatabaseUnavailableError} from '../errors.js';
import {describeFileSystemFailure, fileSystemFailure} from './file-system-errors.js';
import {makeDirectories, removeEmptyDirectories} from './make-directories.js';
import {removeStagedCluster, stageCluster} from './pglite-initdb.js';
import {lockDataDir, type DataDirLock} from './pglite-lock.js';
import type {SiteInput} from './sites-repository.js';
import type {DatabaseTarget} from './types.js';

type PgliteTarget = Extract<DatabaseTarget, {kind: 'pglite'}>;

/**
A PGlite directory made ready to open while the caller does something else (a million-row sites
file takes seconds to read, initdb about 2 s in a child process): created if missing, locked, and,
when new, a cluster being built in its staging directory. `openDatabase` takes it from there;
`discard` gives it up as if it had never been prepared.
*/
export type PreparedPglite = {
	readonly dataDir: string;
	readonly describe: string;
	readonly lock: DataDirLock;
	/** Resolves true once a new cluster is staged, false when the directory had one. */
	readonly staged: Promise<boolean>;
	/** Stops initdb, removes what the preparation created (the directory, or the staged cluster) and releases the lock. */
	discard(): Promise<void>;
};

/**
Creates and locks the target's directory and starts initdb when it holds no cluster.

@throws {DatabaseUnavailableError} The directory cannot be created, or another process holds it.
*/
export function preparePglite(target: PgliteTarget): PreparedPglite {
	const dataDir = path.resolve(target.dataDir);
	let created: string | undefined;
	try {
		created = makeDirectories(dataDir);
	} catch (error) {
		throw new DatabaseUnavailableError(
			`cannot create PGlite data directory ${dataDir}: ${describeFileSystemFailure(fileSystemFailure(error))}`,
			{cause: error},
		);
	}

	let lock: DataDirLock;
	try {
		lock = lockDataDir(dataDir);
	} catch (error) {
		removeEmptyDirectories(dataDir, created);
		throw error;
	}

	const initdb = new AbortController();
	const staged = stageCluster(dataDir, {signal: initdb.signal});
	// Observed by `openPrepared` or `discard`; until then a failure must not count as unhandled.
	staged.catch(() => undefined);
	return {
		dataDir,
		describe: target.describe,
		lock,
		staged,
		async discard() {
			initdb.abort();
			await staged.catch(() => undefined);
			removeStagedCluster(dataDir);
			if (created) {
				rmSync(created, {recursive: true, force: true});
			}

			lock.release();
		},
	};
}

/**
Waits for the sites file while a new PGlite directory is built (initdb runs about 2 s in a child
process, and a million-row file takes about 3 s to read: neither waits for the other). A bad file is
still reported first, and leaves nothing behind: the directory is given up before the error goes on.
*/
export async function sitesBesideInitdb(
	target: DatabaseTarget,
	csvSites: readonly SiteInput[] | Promise<readonly SiteInput[]> | undefined,
): Promise<{prepared?: PreparedPglite; csvSites?: readonly SiteInput[]}> {
	if (!(csvSites instanceof Promise)) {
		return {csvSites};
	}

	let prepared: PreparedPglite | undefined;
	try {
		prepared = target.kind === 'pglite' ? preparePglite(target) : undefined;
	} catch (error) {
		await csvSites;
		throw error;
	}

	try {
		return {prepared, csvSites: await csvSites};
	} catch (error) {
		await prepared?.discard();
		throw error;
	}
}
