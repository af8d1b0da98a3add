import {mkdirSync, statSync} from 'node:fs';
import path from 'node:path';

/**
Creates `directory` and its missing parents one level at a time, so a failure names its real cause.
`mkdirSync(path, {recursive: true})` reports ENOENT for a directory on a read-only file system (the
cause is EROFS) and, on Node 24, never returns for a path under /proc.

@throws The `mkdir` error of the first level that cannot be created: EACCES, EROFS, ENOTDIR, EEXIST
(a file is in the way), ...
*/
export function makeDirectory(directory: string): void {
	const missing: string[] = [];
	let level = path.resolve(directory);
	while (!isDirectory(level)) {
		missing.push(level);
		const parent = path.dirname(level);
		if (parent === level) {
			break;
		}

		level = parent;
	}

	for (const each of missing.reverse()) {
		try {
			mkdirSync(each);
		} catch (error) {
			// Another process may have created it meanwhile; only a directory will do.
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isDirectory(each)) {
				throw error;
			}
		}
	}
}

function isDirectory(candidate: string): boolean {
	try {
		return statSync(candidate).isDirectory();
	} catch {
		// Missing, or not reachable (ENOTDIR, EACCES): mkdir then says which.
		return false;
	}
}
