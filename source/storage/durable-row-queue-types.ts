import type {JournalDirectory} from './journal-directory.js';
import type {JournalFault} from './journal-fault.js';
import type {JournalFileSystem} from './journal-file-system.js';
import type {PendingRow} from './journal-record.js';

/** Results kept in memory unless told otherwise (`--memory-max-results`). */
export const defaultMaxMemoryRows = 50_000;

/**
Bound on the journal's size unless told otherwise (`--journal-max-mb`): 1 GiB, about five million
results of ~190 bytes, so an outage of the database never fills the disk (which the database may share).
*/
export const defaultMaxJournalBytes = 1024 * 1024 * 1024;

/**
Rows waiting for the database, oldest first, that survive the process. Every row pushed is appended
to the journal within one event-loop turn (fsync'd in groups) as well as kept in memory, so a crash
loses nothing that was pushed more than a moment before. Past `maxMemoryRows` only the journal keeps
the oldest rows; `peek` reads them back in order. Rows are removed with `drop` once stored, and a
journal segment is deleted once every row in it was stored. While the journal cannot be written
(a full, read-only or failing disk, or its size bound) rows wait in memory only, up to
`maxMemoryRows`: then the queue is `full`, and nothing more can be kept until the journal or the
database takes some.
*/
export type DurableRowQueue = {
	/** Rows waiting (in memory, in the journal, or both), including a batch in flight. */
	readonly size: number;
	/** Rows waiting that are on disk and fsync'd: they survive a crash or a power cut. */
	readonly journaled: number;
	/** Whether the oldest rows are read back from the journal (they no longer fit in memory). */
	readonly headOnDisk: boolean;
	/** Bytes of journal on disk. */
	readonly journalBytes: number;
	/** The journal directory, or undefined for a memory-only queue. */
	readonly directory: string | undefined;
	/** Rows neither journaled nor stored: waiting in memory only, so lost if the process ended now. */
	readonly memoryOnly: number;
	/** Why the journal cannot take rows now; undefined while it can. */
	readonly fault: JournalFault | undefined;
	/**
	True while the journal cannot take rows and `maxMemoryRows` of them wait in memory only; false
	again below 90% of that, so a bound reached in steps does not flap.
	*/
	readonly full: boolean;
	/** Rows neither stored nor journaled when the queue closed: lost. */
	readonly lost: number;
	/** Calls `listener` whenever `full` changes; returns the unsubscribe. */
	onFull(listener: (full: boolean) => void): () => void;
	/** Appends a row. Synchronous and never throws: disk work happens later. */
	push(pending: PendingRow): void;
	/** The oldest `count` rows (fewer when fewer are in one place); undefined for a row lost on disk. */
	peek(count: number): Promise<Array<PendingRow | undefined>>;
	/** Removes the oldest `count` rows (they are stored). */
	drop(count: number): void;
	/** Writes every row pushed so far to the journal and fsyncs it. */
	sync(): Promise<void>;
	/**
	Syncs, deletes segments whose rows are all stored and closes the files. Rows still waiting stay in
	the journal for the next start; those it cannot take are counted in `lost` and reported. Idempotent.
	*/
	close(): Promise<void>;
};

/** Options of `openDurableRowQueue`. */
export type DurableRowQueueOptions = {
	/** The journal; without it the queue lives in memory only (and is unbounded). */
	readonly directory?: JournalDirectory | undefined;
	/**
	Rows kept in memory: the newest while the journal holds them too, and at most this many that
	only memory holds while the journal cannot. Default `defaultMaxMemoryRows`.
	*/
	readonly maxMemoryRows?: number;
	/** A segment is closed after this many rows... Default 10,000. */
	readonly segmentRows?: number;
	/** ...or this many bytes. Default 8 MiB. */
	readonly segmentBytes?: number;
	/** Bound on the journal's bytes on disk. Default `defaultMaxJournalBytes`. */
	readonly maxJournalBytes?: number;
	/** Group fsync period, ms. Default 100. */
	readonly syncEveryMs?: number;
	/** First delay before writing again after the journal failed, ms; doubles per failure. Default 250. */
	readonly retryInitialMs?: number;
	/** Cap on that delay, ms. Default 10,000. */
	readonly retryMaxMs?: number;
	/** The file operations (tests inject failing ones). */
	readonly fileSystem?: JournalFileSystem;
	/** Problems worth a line on stderr (a torn journal line, a disk error). */
	readonly warn?: (line: string) => void;
};
