import type {DatabasePool} from 'slonik';
import type {CheckResult, Clock} from '../engine/types.js';
import type {DurableRowQueue} from './durable-row-queue.js';
import type {TextLimits} from './healthcheck-row.js';
import type {SiteDefinition} from './journal-record.js';
import type {SiteResolver} from './site-resolver.js';

/** What the writer has done so far, for the front ends. */
export type ResultWriterStats = {
	/** Rows waiting (in memory and in the journal), including a batch in flight. */
	readonly queued: number;
	/** Of those, rows safe on disk (written and fsync'd to the journal). */
	readonly journaled: number;
	/**
	Of those, rows in the batch the database is writing now. A writer closed meanwhile keeps them in
	the journal, but the database may still commit them (their replay is then ignored).
	*/
	readonly writing: number;
	/** Of those, rows in memory only (the journal cannot be written): a crash now would lose them. */
	readonly memoryOnly: number;
	/** Why the journal cannot take rows (a disk fault or its size bound), while it cannot. */
	readonly journalFault?: string;
	/** True while `memoryOnly` is at the memory bound: nothing more can be kept, so checks hold. */
	readonly full: boolean;
	/** Size of the journal on disk, bytes. */
	readonly journalBytes: number;
	/** Rows the database acknowledged (replayed duplicates included: they are ignored, not lost). */
	readonly written: number;
	/** Successful batch statements. */
	readonly batches: number;
	/** Failed attempts (connection, preparation or batch). */
	readonly failures: number;
	/** Results that cannot be stored (invalid site or time, a row the schema rejects, a lost journal line). */
	readonly dropped: number;
	/** Results neither stored nor journaled when the writer closed (the journal could not be written): lost. */
	readonly lost: number;
	/**
	`connected`: writing normally. `retrying`: the database is failing; rows wait for the next attempt.
	`replaying`: writing rows read back from the journal. `closed`: stopped.
	*/
	readonly state: 'connected' | 'retrying' | 'replaying' | 'closed';
	/** First line of the last failure. */
	readonly lastError?: string;
	/** While retrying: ms until the next attempt. */
	readonly nextRetryInMs?: number;
};

/** Queues check results and stores them in batches. */
export type BatchedResultWriter = {
	/** Queues a result. Never blocks and never throws. */
	push(result: CheckResult): void;
	/** Resolves when every result pushed so far is stored (or dropped as unstorable), or the writer stopped. */
	flush(): Promise<void>;
	/**
	Flushes, then stops. With `timeoutMs`, stops after that long even if the database is still
	failing; what was not stored stays in the journal (and counted in `stats().queued`).
	*/
	close(options?: {timeoutMs?: number}): Promise<void>;
	/**
	Stops at once: rows not stored are synced to the journal for the next start. Resolves with the
	number really journaled; those the journal could not take are counted in `stats().lost`.
	*/
	closeNow(): Promise<number>;
	/** Calls `listener` when `stats().full` changes; returns the unsubscribe. */
	onFull(listener: (full: boolean) => void): () => void;
	/** Ids the database gave to sites, for rows that carry only a URL. */
	rememberSites(sites: Iterable<{readonly id: number; readonly url: string}>): void;
	/** The journal directory, or undefined when rows wait in memory only. */
	readonly journalDirectory: string | undefined;
	stats(): ResultWriterStats;
};

/** Options for `createBatchedResultWriter`. */
export type BatchedResultWriterOptions = {
	/** An open pool... */
	readonly pool?: DatabasePool;
	/** ...or how to open one; a failure counts as a failed attempt and is retried with backoff. */
	readonly connect?: () => Promise<DatabasePool>;
	/** Runs once, before the first insert (a run that started without its database migrates here). */
	readonly prepare?: (pool: DatabasePool) => Promise<void>;
	/** Where rows wait: a journal (`openDurableRowQueue`); default in memory only. */
	readonly queue?: DurableRowQueue;
	/** For results whose site has no id yet (site id <= 0): how to create the site when replaying. */
	readonly siteDefinitions?: ReadonlyMap<string, SiteDefinition>;
	/** Runs once the writer stops taking rows, before its journal closes (and may remove its directory). */
	readonly beforeClose?: () => Promise<void>;
	readonly resolver?: SiteResolver;
	/** The database is known to be failing already (unreachable at start-up): start in `retrying`. */
	readonly initialError?: unknown;
	/** State changes worth a line for the user (database lost, database back). */
	readonly notify?: (line: string) => void;
	/** Most rows per INSERT. Default 1,000. */
	readonly maxBatchRows?: number;
	/** A partial batch is written once its rows waited this long. Default 250 ms. */
	readonly maxBatchAgeMs?: number;
	/** A batch not answered within this long counts as failed (a dead connection can hang). Default 60 s. */
	readonly batchTimeoutMs?: number;
	readonly clock?: Clock;
	/** First retry delay after a failed attempt; doubles per failure. Default 250 ms. */
	readonly retryInitialMs?: number;
	/** Cap on the retry delay. Default 10 s. */
	readonly retryMaxMs?: number;
	/** Jitter source in [0, 1). Default Math.random. */
	readonly random?: () => number;
	readonly textLimits?: Partial<TextLimits>;
};
