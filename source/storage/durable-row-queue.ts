import {open, rm, type FileHandle} from 'node:fs/promises';
import path from 'node:path';
import {JournalHeadReader, type Segment} from './journal-head-reader.js';
import type {JournalDirectory} from './journal-directory.js';
import {encodeJournalLine, type PendingRow} from './journal-record.js';
import {loadLeftoverSegments, writeStoredMark} from './journal-leftover.js';
import {createMemoryRowQueue} from './row-queue.js';

/**
Rows waiting for the database, oldest first, that survive the process. Every row pushed is appended
to the journal within one event-loop turn (fsync'd in groups) as well as kept in memory, so a crash
loses nothing that was pushed more than a moment before. Past `maxMemoryRows` only the journal keeps
the oldest rows; `peek` reads them back in order. Rows are removed with `drop` once stored, and a
journal segment is deleted once every row in it was stored.
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
	the journal for the next start. Idempotent.
	*/
	close(): Promise<void>;
};

/** Options of `openDurableRowQueue`. */
export type DurableRowQueueOptions = {
	/** The journal; without it the queue lives in memory only (and is unbounded). */
	readonly directory?: JournalDirectory | undefined;
	/** Rows kept in memory before only the journal holds the oldest. Default 50,000. */
	readonly maxMemoryRows?: number;
	/** A segment is closed after this many rows... Default 10,000. */
	readonly segmentRows?: number;
	/** ...or this many bytes. Default 8 MiB. */
	readonly segmentBytes?: number;
	/** Group fsync period, ms. Default 100. */
	readonly syncEveryMs?: number;
	/** Problems worth a line on stderr (a torn journal line, a disk error). */
	readonly warn?: (line: string) => void;
};

type Active = {segment: Segment; handle: FileHandle};

/**
Opens the queue. Segments an earlier run left in `directory` become its oldest rows: they are counted
and checked first (a torn last line or a damaged line is skipped with a warning), then replayed
before any new row.
*/
export async function openDurableRowQueue(options: DurableRowQueueOptions = {}): Promise<DurableRowQueue> {
	if (!options.directory) {
		return createQueue(options, [], 1);
	}

	const {segments, nextNumber} = await loadLeftoverSegments(options.directory, options.warn ?? (() => undefined));
	return createQueue(options, segments, nextNumber);
}

/** A queue in memory only: nothing survives the process (for tests and tools without a data directory). */
export function createMemoryOnlyRowQueue(): DurableRowQueue {
	return createQueue({}, [], 1);
}

function createQueue(options: DurableRowQueueOptions, segments: Segment[], firstNumber: number): DurableRowQueue {
	const {directory} = options;
	const warn = options.warn ?? (() => undefined);
	const maxMemoryRows = Math.max(1, options.maxMemoryRows ?? 50_000);
	const segmentRows = options.segmentRows ?? 10_000;
	const segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
	const seq = segments.reduce((sum, segment) => sum + segment.count, 0);
	let nextNumber = firstNumber;
	let ackSeq = 0;
	let nextSeq = seq;
	let memStart = seq;
	let writtenSeq = seq;
	let syncedSeq = seq;
	const memory = createMemoryRowQueue<PendingRow>();
	const head = new JournalHeadReader(() => segments, warn);
	let pendingLines: string[] = [];
	let active: Active | undefined;
	let writeScheduled = false;
	let failing = false;
	let closed: Promise<void> | undefined;
	let io: Promise<void> = Promise.resolve();

	// One chain for every file operation, so writes, fsyncs, rotations and deletions never interleave.
	const serial = async (task: () => Promise<void>): Promise<void> => {
		io = io.then(task).catch((error: unknown) => {
			warn(`journal ${directory?.path}: ${(error as Error).message}`);
		});
		return io;
	};

	const evict = () => {
		// Only rows already written may leave memory: the journal must hold every row not in memory.
		const until = Math.min(writtenSeq, nextSeq - maxMemoryRows);
		if (until > memStart) {
			memory.drop(until - memStart);
			memStart = until;
		}
	};

	const closeActive = async () => {
		const current = active;
		active = undefined;
		if (current) {
			await current.handle.datasync();
			await current.handle.close();
			syncedSeq = Math.max(syncedSeq, current.segment.firstSeq + current.segment.count);
		}
	};

	const deleteStored = async () => {
		while (segments.length > 0) {
			const oldest = segments[0]!;
			if (oldest.firstSeq + oldest.count > ackSeq || oldest === active?.segment) {
				return;
			}

			segments.shift();
			// eslint-disable-next-line no-await-in-loop
			await head.release(oldest);
			// eslint-disable-next-line no-await-in-loop
			await rm(oldest.path, {force: true});
		}
	};

	const writePending = async () => {
		if (pendingLines.length === 0 || !directory) {
			return;
		}

		const lines = pendingLines;
		pendingLines = [];
		const text = lines.join('');
		try {
			if (!active) {
				const name = directory.segmentName(nextNumber++);
				const file = path.join(directory.path, name);
				const handle = await open(file, 'a');
				active = {segment: {name, path: file, firstSeq: writtenSeq, count: 0, bytes: 0, leftover: false}, handle};
				segments.push(active.segment);
				await directory.syncDirectory();
			}

			// appendFile loops until every byte is written (a plain write may write only part).
			await active.handle.appendFile(text);
		} catch (error) {
			pendingLines = [...lines, ...pendingLines];
			if (!failing) {
				warn(`journal ${directory.path}: cannot write (${(error as Error).message}); results stay in memory and the write is retried`);
			}

			failing = true;
			// The file may end in part of a line now: later rows go to a fresh segment.
			await closeActive().catch(() => undefined);
			setTimeout(schedule, 1000).unref();
			return;
		}

		failing = false;
		active.segment.count += lines.length;
		active.segment.bytes += Buffer.byteLength(text);
		writtenSeq += lines.length;
		evict();
		if (active.segment.count >= segmentRows || active.segment.bytes >= segmentBytes) {
			await closeActive();
			await deleteStored();
		}
	};

	const schedule = () => {
		if (!writeScheduled && !closed) {
			writeScheduled = true;
			// Once per event-loop turn: a burst of results is one write, and none waits longer.
			setImmediate(() => {
				writeScheduled = false;
				void serial(writePending);
			});
		}
	};

	const syncActive = async () => {
		const target = writtenSeq;
		if (active && syncedSeq < target) {
			await active.handle.datasync();
			syncedSeq = Math.max(syncedSeq, target);
		}
	};

	const syncTimer = directory
		? setInterval(() => {
			if (syncedSeq < writtenSeq) {
				void serial(syncActive);
			}
		}, options.syncEveryMs ?? 100)
		: undefined;
	syncTimer?.unref();

	const sync = async () => {
		await serial(writePending);
		await serial(syncActive);
	};

	return {
		get size() {
			return nextSeq - ackSeq;
		},
		get journaled() {
			return Math.max(0, syncedSeq - ackSeq);
		},
		get headOnDisk() {
			return ackSeq < memStart;
		},
		get journalBytes() {
			return segments.reduce((sum, segment) => sum + segment.bytes, 0);
		},
		directory: directory?.path,
		push(pending) {
			memory.push(pending);
			nextSeq++;
			if (directory) {
				pendingLines.push(encodeJournalLine(pending));
				schedule();
			}
		},
		async peek(count) {
			if (ackSeq >= memStart) {
				return memory.peek(count);
			}

			return head.read(ackSeq, Math.min(count, memStart - ackSeq));
		},
		drop(count) {
			ackSeq = Math.min(nextSeq, ackSeq + Math.max(0, count));
			if (ackSeq > memStart) {
				memory.drop(ackSeq - memStart);
				memStart = ackSeq;
			}

			if (segments.length > 0 && segments[0]!.firstSeq + segments[0]!.count <= ackSeq) {
				void serial(deleteStored);
			}
		},
		sync,
		async close() {
			closed ??= (async () => {
				clearInterval(syncTimer);
				await sync();
				await serial(async () => {
					// Once closed, the segment that was open for appending can go too if all of it is stored.
					await closeActive();
					await deleteStored();
					await head.close();
					const oldest = segments[0];
					if (directory && oldest) {
						await writeStoredMark(directory.path, oldest, Math.max(0, ackSeq - oldest.firstSeq) + (oldest.stored ?? 0));
					}
				});
				await directory?.release({removeIfEmpty: nextSeq === ackSeq});
			})();
			return closed;
		},
	};
}
