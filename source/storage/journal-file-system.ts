import {open, rm} from 'node:fs/promises';

/** One journal segment open for appending (a `FileHandle` is one). */
export type JournalFile = {
	/** Appends all of `data` (looping over short writes); may leave part of it behind when it fails. */
	appendFile(data: string): Promise<void>;
	datasync(): Promise<void>;
	truncate(length: number): Promise<void>;
	close(): Promise<void>;
};

/**
The file operations the journal appends with. The edge tests swap to make a disk fail on cue
(ENOSPC in the middle of a segment, EROFS at open, EIO on fsync), as a full or dying disk does.
*/
export type JournalFileSystem = {
	/** Opens (creating it if needed) a segment for appending. */
	open(path: string): Promise<JournalFile>;
	/** Removes a file; a missing one is not an error. */
	remove(path: string): Promise<void>;
};

/** The real file system. */
export const nodeJournalFileSystem: JournalFileSystem = {
	async open(path) {
		return open(path, 'a');
	},
	async remove(path) {
		await rm(path, {force: true});
	},
};
