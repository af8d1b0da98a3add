import {existsSync, mkdirSync, rmdirSync} from 'node:fs';
import path from 'node:path';

/**
`mkdir -p` that returns the topmost directory it created (undefined when `directory` existed) and
throws the real reason: Node's recursive `mkdirSync` reports ENOENT on a read-only file system.
*/
export function makeDirectories(directory: string): string | undefined {
	const missing: string[] = [];
	for (let current = path.resolve(directory); !existsSync(current); current = path.dirname(current)) {
		missing.unshift(current);
	}

	let created: string | undefined;
	for (const each of missing) {
		try {
			mkdirSync(each);
			created ??= each;
		} catch (error) {
			// Another process made it meanwhile: theirs, not ours to remove.
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
				throw error;
			}
		}
	}

	return created;
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
