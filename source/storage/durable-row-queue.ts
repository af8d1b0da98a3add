import {
	defaultMaxJournalBytes, defaultMaxMemoryRows, type DurableRowQueue, type DurableRowQueueOptions,
} from './durable-row-queue-types.js';
import {JournalAppender} from './journal-appender.js';
import {JournalFaultNotices} from './journal-fault-notices.js';
import {journalFault} from './journal-fault.js';
import {nodeJournalFileSystem} from './journal-file-system.js';
import {JournalHeadReader, type Segment} from './journal-head-reader.js';
import {loadLeftoverSegments, writeStoredMark} from './journal-leftover.js';
import {encodeJournalLine, type PendingRow} from './journal-record.js';
import {retryDelayMs} from './retry-delay.js';
import {createMemoryRowQueue} from './row-queue.js';

export {defaultMaxJournalBytes, defaultMaxMemoryRows, type DurableRowQueue, type DurableRowQueueOptions} from './durable-row-queue-types.js';

/** Rows encoded per write at most: a backlog after a long fault goes out in steps, not one huge string. */
const writeChunkRows = 10_000;

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
	const maxMemoryRows = Math.max(1, options.maxMemoryRows ?? defaultMaxMemoryRows);
	const policy = {initialMs: options.retryInitialMs ?? 250, maxMs: options.retryMaxMs ?? 10_000, random: Math.random};
	const seq = segments.reduce((sum, segment) => sum + segment.count, 0);
	const appender = directory && new JournalAppender({
		directory,
		fileSystem: options.fileSystem ?? nodeJournalFileSystem,
		segments,
		nextNumber: firstNumber,
		firstSeq: seq,
		segmentRows: options.segmentRows ?? 10_000,
		segmentBytes: options.segmentBytes ?? 8 * 1024 * 1024,
		maxBytes: options.maxJournalBytes ?? defaultMaxJournalBytes,
		now: Date.now,
	});
	let ackSeq = 0;
	let nextSeq = seq;
	let memStart = seq;
	const memory = createMemoryRowQueue<PendingRow>();
	const head = new JournalHeadReader(() => segments, warn);
	let writeScheduled = false;
	let retryTimer: NodeJS.Timeout | undefined;
	let failures = 0;
	let full = false;
	let lost = 0;
	const fullListeners = new Set<(full: boolean) => void>();
	let closed: Promise<void> | undefined;
	let io: Promise<void> = Promise.resolve();

	// One chain for every file operation, so writes, fsyncs, rotations and deletions never interleave.
	const serial = async (task: () => Promise<void>): Promise<void> => {
		io = io.then(task).catch((error: unknown) => {
			warn(`journal ${directory?.path}: ${(error as Error).message}`);
		});
		return io;
	};

	const writtenSeq = () => appender?.writtenSeq ?? seq;
	const syncedSeq = () => appender?.syncedSeq ?? seq;
	// While the journal is faulty a written row is not safe until an fsync covers it (a disk that fails
	// fsync may take every write): counting it as kept would let memory grow past the bound unheld.
	const keptSeq = () => appender?.fault ? syncedSeq() : writtenSeq();
	const memoryOnly = () => nextSeq - Math.max(keptSeq(), ackSeq);

	const evict = () => {
		// Only fsync'd rows leave memory: after a failed fsync the rows it covered are written again from here.
		const until = Math.min(syncedSeq(), nextSeq - maxMemoryRows);
		if (until > memStart) {
			memory.drop(until - memStart);
			memStart = until;
		}
	};

	const updateFull = () => {
		const waiting = memoryOnly();
		const next = appender?.fault !== undefined && (full ? waiting > maxMemoryRows * 0.9 : waiting >= maxMemoryRows);
		if (next !== full) {
			full = next;
			for (const listener of fullListeners) {
				listener(full);
			}
		}
	};

	const notices = directory && new JournalFaultNotices(directory.path, maxMemoryRows, policy.maxMs, warn);
	const report = () => {
		notices?.update(appender?.fault);
	};

	const retryLater = () => {
		if (retryTimer !== undefined || closed) {
			return;
		}

		failures++;
		retryTimer = setTimeout(() => {
			retryTimer = undefined;
			void serial(writePending);
		}, retryDelayMs(policy, failures));
		retryTimer.unref();
	};

	/** The rows from `from` on, encoded, as many as fit under the journal's bound (and one more). */
	const encode = (from: number, room: number) => {
		const to = Math.min(nextSeq, from + writeChunkRows);
		const lines: string[] = [];
		let bytes = 0;
		for (const pending of memory.slice(from - memStart, to - memStart)) {
			const line = encodeJournalLine(pending);
			lines.push(line);
			bytes += line.length;
			if (bytes > room) {
				break;
			}
		}

		return lines;
	};

	async function writePending(): Promise<void> {
		while (appender) {
			// Rows the database stored while they waited need no journal line.
			const from = Math.max(appender.writtenSeq, ackSeq);
			const lines = encode(from, appender.room);
			if (lines.length === 0) {
				break;
			}

			const written = await appender.append(lines, from);
			report();
			if (written < lines.length || appender.fault) {
				break;
			}
		}

		evict();
		updateFull();
		if (appender?.fault) {
			retryLater();
		} else {
			failures = 0;
		}
	}

	const schedule = () => {
		// While the journal fails only the retry timer tries again: a write per result would hammer a dying disk.
		if (!writeScheduled && !closed && !appender?.fault) {
			writeScheduled = true;
			// Once per event-loop turn: a burst of results is one write, and none waits longer.
			setImmediate(() => {
				writeScheduled = false;
				void serial(writePending);
			});
		}
	};

	const syncActive = async () => {
		const before = appender?.fault;
		await appender?.sync();
		report();
		evict();
		updateFull();
		if (appender?.fault) {
			retryLater();
		} else if (before) {
			// The fault is over: rows that arrived meanwhile waited for this.
			schedule();
		}
	};

	const deleteStored = async () => {
		const deleted = await appender?.deleteStored(ackSeq, head) ?? 0;
		if (deleted > 0 && appender?.fault?.code === 'BOUND') {
			// Room under the bound again: rows waiting in memory go to the journal now.
			await writePending();
		}
	};

	const syncTimer = appender
		? setInterval(() => {
			if (appender.syncedSeq < appender.writtenSeq) {
				void serial(syncActive);
			}
		}, options.syncEveryMs ?? 100)
		: undefined;
	syncTimer?.unref();

	const sync = async () => {
		await serial(writePending);
		await serial(syncActive);
	};

	const closeFiles = async () => {
		await appender?.seal();
		await appender?.deleteStored(ackSeq, head);
		await head.close();
		const oldest = segments[0];
		if (directory && oldest) {
			await writeStoredMark(directory.path, oldest, Math.max(0, ackSeq - oldest.firstSeq) + (oldest.stored ?? 0)).catch((error: unknown) => {
				warn(`journal ${directory.path}: cannot record which rows of ${oldest.name} are stored (${journalFault(error, 0).reason}); the next start stores them again, which is harmless`);
			});
		}
	};

	return {
		get size() {
			// Once closed, the lost rows wait for nothing any more.
			return nextSeq - ackSeq - lost;
		},
		get journaled() {
			return Math.max(0, syncedSeq() - ackSeq);
		},
		get headOnDisk() {
			return ackSeq < memStart;
		},
		get journalBytes() {
			return appender?.bytes ?? 0;
		},
		directory: directory?.path,
		get memoryOnly() {
			return Math.max(0, memoryOnly() - lost);
		},
		get fault() {
			return appender?.fault;
		},
		get full() {
			return full;
		},
		get lost() {
			return lost;
		},
		onFull(listener) {
			fullListeners.add(listener);
			return () => fullListeners.delete(listener);
		},
		push(pending) {
			memory.push(pending);
			nextSeq++;
			if (appender) {
				schedule();
				updateFull();
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

			updateFull();
		},
		sync,
		async close() {
			closed ??= (async () => {
				clearInterval(syncTimer);
				clearTimeout(retryTimer);
				notices?.stop();
				await sync();
				await serial(closeFiles);
				lost = Math.max(0, nextSeq - Math.max(syncedSeq(), ackSeq));
				if (lost > 0) {
					const why = appender?.fault ? `the journal ${directory!.path} cannot be written: ${appender.fault.reason}` : 'there is no journal';
					warn(`${lost} results could be neither stored nor journaled and are lost (${why})`);
				}

				await directory?.release({removeIfEmpty: nextSeq === ackSeq});
			})();
			return closed;
		},
	};
}
