import {firstLine} from './write-errors.js';

/** Why the journal cannot take rows now. */
export type JournalFault = {
	/**
	The errno code of the failed operation (`ENOSPC`, `EROFS`, `EIO`, `EDQUOT`, ...), or `BOUND` when
	the journal reached its size bound (`--journal-max-mb`).
	*/
	readonly code: string;
	/** The cause in words, for one line, e.g. `the disk is full (ENOSPC)`. */
	readonly reason: string;
	/** Epoch ms of the first failure in this run of failures. */
	readonly since: number;
};

/** What the errno codes a journal meets mean to the person whose disk it is. */
const causes: Readonly<Record<string, string>> = {
	ENOSPC: 'the disk is full',
	EDQUOT: 'the disk quota is used up',
	EROFS: 'the file system is read-only',
	EIO: 'the disk reported an I/O error',
	EACCES: 'permission denied',
	EPERM: 'permission denied',
	ENOENT: 'the journal directory is gone',
};

/** The fault a failed file operation means; `since` is kept from an earlier fault of the same run. */
export function journalFault(error: unknown, now: number, earlier?: JournalFault): JournalFault {
	const {code} = error as {code?: unknown};
	const known = typeof code === 'string' ? code : 'EUNKNOWN';
	const cause = causes[known] ?? firstLine(error);
	return {code: known, reason: `${cause} (${known})`, since: earlier?.since ?? now};
}

/** The fault of a journal that reached `maxBytes`. */
export function journalBoundFault(maxBytes: number, now: number, earlier?: JournalFault): JournalFault {
	const mebibyte = 1024 * 1024;
	const bound = maxBytes % mebibyte === 0 ? `${maxBytes / mebibyte} MB` : `${maxBytes} bytes`;
	return {code: 'BOUND', reason: `it reached its bound of ${bound} (--journal-max-mb)`, since: earlier?.since ?? now};
}

/** The line for a journal that starts failing, or fails in another way; `memoryRows` may wait in memory only. */
export function journalFaultLine(directory: string, fault: JournalFault, memoryRows: number): string {
	const retry = fault.code === 'BOUND' ? 'until stored results make room' : 'while the write is retried with backoff';
	return `journal ${directory}: cannot write: ${fault.reason}; new results wait in memory only (up to ${memoryRows}, then checks hold) ${retry}`;
}

/** The line for a journal written again after `fault`. */
export function journalRecoveredLine(directory: string, fault: JournalFault, now: number): string {
	return `journal ${directory}: written again after ${Math.round((now - fault.since) / 1000)} s (${fault.reason})`;
}
