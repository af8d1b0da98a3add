import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import path from 'node:path';
import {DatabaseUnavailableError} from '../errors.js';

/** Name of the lock file inside a PGlite data directory. */
export const lockFileName = 'webmon.lock';

type LockContent = {pid: number; hostname: string; startedAt: string};

/** Releases a lock taken by `lockDataDir`. Idempotent. */
export type DataDirLock = {release(): void};

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: the process exists but belongs to someone else.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function readLock(file: string): LockContent | undefined {
	try {
		const content = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockContent>;
		return typeof content.pid === 'number' ? content as LockContent : undefined;
	} catch {
		return undefined;
	}
}

/** What `lockDirectory` says about the directory it locks, for messages. */
export type LockLabels = {
	/** The directory's role, e.g. `PGlite data directory`. */
	readonly what: string;
	/** How to get past a live holder, e.g. `use another data directory`. */
	readonly alternative: string;
};

/**
PGlite has no lock of its own, and two processes writing one data directory corrupt it. So we
write `webmon.lock` with our pid (exclusive create) and refuse when the pid in an existing lock is
alive, including our own pid (a second open in this process). A lock left by a dead process is
taken over. A lock from another host, or one we cannot read, is treated as held.
*/
export function lockDataDir(dataDir: string): DataDirLock {
	return lockDirectory(dataDir, {what: 'PGlite data directory', alternative: 'use another data directory'});
}

/** `lockDataDir` for any directory one process at a time may own (a journal, for instance). */
export function lockDirectory(dataDir: string, labels: LockLabels): DataDirLock {
	const file = path.join(dataDir, lockFileName);
	const mine: LockContent = {pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString()};
	const text = JSON.stringify(mine) + '\n';

	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			writeFileSync(file, text, {flag: 'wx'});
			let released = false;
			return {
				release() {
					if (released) {
						return;
					}

					released = true;
					// Only remove the file if it is still ours.
					const current = readLock(file);
					if (current?.pid === mine.pid && current.startedAt === mine.startedAt) {
						rmSync(file, {force: true});
					}
				},
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
				throw new DatabaseUnavailableError(
					`cannot lock ${labels.what} ${dataDir}: ${(error as Error).message}`,
					{cause: error},
				);
			}
		}

		const holder = readLock(file);
		if (!holder) {
			// Possibly being written by another process right now: do not take it over.
			throw new DatabaseUnavailableError(
				`${labels.what} ${dataDir} is locked (unreadable ${file}); delete it if no other webmon-tui uses the directory`,
			);
		}

		const otherHost = holder.hostname !== mine.hostname;
		if (otherHost || isAlive(holder.pid)) {
			const who = holder.pid === process.pid && !otherHost
				? 'this process'
				: `process ${holder.pid}${otherHost ? ` on ${holder.hostname}` : ''}`;
			throw new DatabaseUnavailableError(
				`${labels.what} ${dataDir} is in use by ${who}; `
				+ `stop it, ${labels.alternative}, or delete ${file} if that process is gone`,
			);
		}

		// Left by a process that is gone: take it over.
		rmSync(file, {force: true});
	}

	throw new DatabaseUnavailableError(`cannot lock ${labels.what} ${dataDir}: lock file keeps reappearing`);
}
