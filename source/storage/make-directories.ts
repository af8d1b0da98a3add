import {mkdirSync, rmdirSync, statSync} from 'node:fs';
import path from 'node:path';

/**
`mkdir -p`, one level at a time, that returns the topmost directory it created (undefined when
`directory` existed) and throws the real reason: Node's recursive `mkdirSync` reports ENOENT for a
directory on a read-only file system (the cause is EROFS) and, on Node 24, never returns for a path
under /proc.

@throws The `mkdir` error of the first level that cannot be created: EACCES, EROFS, ENOTDIR, EEXIST
(a file is in the way), ...
*/
export function makeDirectories(directory: string): string | undefined {
	const missing: string[] = [];
	for (let level = path.resolve(directory); !isDirectory(level); level = path.dirname(level)) {
		missing.unshift(level);
		if (path.dirname(level) === level) {
			break;
		}
	}

	let created: string | undefined;
	for (const each of missing) {
		try {
			mkdirSync(each);
			created ??= each;
		} catch (error) {
			// Another process made it meanwhile (theirs, not ours to remove); only a directory will do.
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isDirectory(each)) {
				throw error;
			}
		}
	}

	return created;
}

function isDirectory(candidate: string): boolean {
	try {
		return statSync(candidate).isDirectory();
	} catch {
		// Missing, or not reachable (ENOTDIR, EACCES): mkdir then says which.
		return false;
	}
}

/**
Removes `directory` and its parents up to `topmost` while they are empty: what `makeDirectories` made for
a data directory that could not be locked. A directory another process has written to stays.
*/
export function removeEmptyDirectories(directory: string, topmost: string | undefined): void {
	if (!topmost) {
		return;
	}

	for (let current = directory; current.startsWith(topmost); current = path.dirname(current)) {
		try {
			rmdirSync(current);
		} catch {
			return;
		}
	}
}
