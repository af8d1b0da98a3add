import {nodeJournalFileSystem, type JournalFile, type JournalFileSystem} from '../../source/storage/journal-file-system.js';

/** An errno-style error, as node:fs raises it. */
export function errnoError(code: string): NodeJS.ErrnoException {
	return Object.assign(new Error(`${code}: simulated failure`), {code});
}

/** Which operations fail, with which code; undefined = they work. */
export type Faults = {
	open?: string;
	/** Appends fail after writing this share of their data (0.5 = half; a torn line, maybe whole lines). */
	append?: {code: string; written: number};
	sync?: string;
};

/** The real file system with failures switched on and off by the test: a disk that fills up or dies. */
export type FaultyFileSystem = {
	readonly fileSystem: JournalFileSystem;
	readonly faults: Faults;
	/** Failed calls so far, by operation. */
	readonly failed: {open: number; append: number; sync: number};
};

export function faultyFileSystem(): FaultyFileSystem {
	const faults: Faults = {};
	const failed = {open: 0, append: 0, sync: 0};
	const wrap = (file: JournalFile): JournalFile => ({
		async appendFile(data) {
			const fault = faults.append;
			if (fault) {
				failed.append++;
				// A real ENOSPC comes after a short write: part of the data is in the file.
				await file.appendFile(data.slice(0, Math.floor(data.length * fault.written)));
				throw errnoError(fault.code);
			}

			await file.appendFile(data);
		},
		async datasync() {
			if (faults.sync) {
				failed.sync++;
				throw errnoError(faults.sync);
			}

			await file.datasync();
		},
		truncate: async length => file.truncate(length),
		close: async () => file.close(),
	});
	return {
		faults,
		failed,
		fileSystem: {
			async open(path) {
				if (faults.open) {
					failed.open++;
					throw errnoError(faults.open);
				}

				return wrap(await nodeJournalFileSystem.open(path));
			},
			remove: async path => nodeJournalFileSystem.remove(path),
		},
	};
}
