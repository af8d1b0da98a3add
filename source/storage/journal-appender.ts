import path from 'node:path';
import type {JournalDirectory} from './journal-directory.js';
import {journalBoundFault, journalFault, type JournalFault} from './journal-fault.js';
import type {JournalFile, JournalFileSystem} from './journal-file-system.js';
import type {JournalHeadReader, Segment} from './journal-head-reader.js';

/** Options of `JournalAppender`. */
export type JournalAppenderOptions = {
	readonly directory: JournalDirectory;
	readonly fileSystem: JournalFileSystem;
	/** The queue's segments, oldest first, leftovers of an earlier run included: new ones are added at the end. */
	readonly segments: Segment[];
	/** Number of the next segment file. */
	readonly nextNumber: number;
	/** Sequence number of the first row this run writes (the leftovers come before it). */
	readonly firstSeq: number;
	/** A segment is sealed after this many rows... */
	readonly segmentRows: number;
	/** ...or this many bytes. */
	readonly segmentBytes: number;
	/** Bound on the bytes of all segments together (`--journal-max-mb`). */
	readonly maxBytes: number;
	readonly now: () => number;
};

type Active = {
	readonly segment: Segment;
	readonly file: JournalFile;
	/** Bytes of the segment covered by its last successful fsync. */
	syncedBytes: number;
};

/**
Appends rows to the journal, one segment file at a time, and keeps it honest when the disk fails.
Every row before `writtenSeq` is in a segment (or was stored before it was written), every row
before `syncedSeq` is also fsync'd. A write that fails is cut back off its file, so no line is
half there and no row is in two segments; a segment whose first write failed is removed, so a
full disk never fills the directory with empty files; after a failed fsync the rows it covered
count as not written (a dirty page the kernel could not write may be dropped and never reported
again), so the queue writes them again from memory. Nothing here throws: `fault` says what failed.
*/
export class JournalAppender {
	readonly #options: JournalAppenderOptions;
	readonly #segments: Segment[];
	#nextNumber: number;
	#writtenSeq: number;
	#syncedSeq: number;
	#active: Active | undefined;
	#fault: JournalFault | undefined;

	constructor(options: JournalAppenderOptions) {
		this.#options = options;
		this.#segments = options.segments;
		this.#nextNumber = options.nextNumber;
		this.#writtenSeq = options.firstSeq;
		this.#syncedSeq = options.firstSeq;
	}

	get writtenSeq(): number {
		return this.#writtenSeq;
	}

	get syncedSeq(): number {
		return this.#syncedSeq;
	}

	/** Why the last write or fsync failed, or why rows no longer fit; undefined once a write succeeded again. */
	get fault(): JournalFault | undefined {
		return this.#fault;
	}

	/** Bytes of every segment on disk. */
	get bytes(): number {
		return this.#segments.reduce((sum, segment) => sum + segment.bytes, 0);
	}

	/** Bytes that may still be written under the bound. */
	get room(): number {
		return this.#options.maxBytes - this.bytes;
	}

	/**
	Writes `lines`, which are the rows `seq`, `seq + 1`, ... (`seq` may be past `writtenSeq` when the
	rows in between were stored before they could be written). Resolves with how many were written:
	all, those that fit under the bound, or none when the disk failed.
	*/
	async append(lines: readonly string[], seq: number): Promise<number> {
		if (lines.length === 0) {
			return 0;
		}

		const {room} = this;
		let count = 0;
		let bytes = 0;
		for (const line of lines) {
			const size = Buffer.byteLength(line);
			if (bytes + size > room) {
				break;
			}

			bytes += size;
			count++;
		}

		if (count === 0) {
			this.#fault = journalBoundFault(this.#options.maxBytes, this.#options.now(), this.#fault);
			// Sealed, the open segment can be deleted once its rows are stored, which makes room.
			await this.seal();
			return 0;
		}

		let active: Active;
		try {
			active = await this.#activeFor(seq);
			await active.file.appendFile(lines.slice(0, count).join(''));
		} catch (error) {
			this.#fault = journalFault(error, this.#options.now(), this.#fault);
			await this.#closeActive();
			return 0;
		}

		active.segment.count += count;
		active.segment.bytes += bytes;
		this.#writtenSeq = seq + count;
		const bounded = count < lines.length;
		if (bounded) {
			this.#fault = journalBoundFault(this.#options.maxBytes, this.#options.now(), this.#fault);
		} else if (this.#fault?.code === 'BOUND') {
			this.#fault = undefined;
		}

		if (bounded || active.segment.count >= this.#options.segmentRows || active.segment.bytes >= this.#options.segmentBytes) {
			await this.seal();
		}

		// A failed fsync while sealing takes rows back.
		return Math.max(0, this.#writtenSeq - seq);
	}

	/** Fsyncs the open segment. A failure sets `fault` and takes the rows it covered back (see the class). */
	async sync(): Promise<void> {
		const active = this.#active;
		if (!active || this.#syncedSeq >= this.#writtenSeq) {
			return;
		}

		const target = this.#writtenSeq;
		const {bytes} = active.segment;
		try {
			await active.file.datasync();
		} catch (error) {
			this.#fault = journalFault(error, this.#options.now(), this.#fault);
			this.#forgetUnsynced(active);
			await this.#closeActive();
			return;
		}

		this.#syncedSeq = Math.max(this.#syncedSeq, target);
		active.syncedBytes = bytes;
		// A disk fault is over once data written after it is on disk, not when a write returns.
		if (this.#fault?.code !== 'BOUND') {
			this.#fault = undefined;
		}
	}

	/** Closes the open segment, fsync'd: no more rows go into it, and it can be deleted once they are stored. */
	async seal(): Promise<void> {
		await this.sync();
		await this.#closeActive();
	}

	/** Deletes the oldest segments whose rows are all stored (below `ackSeq`); resolves with how many. */
	async deleteStored(ackSeq: number, head: JournalHeadReader): Promise<number> {
		let deleted = 0;
		while (this.#segments.length > 0) {
			const oldest = this.#segments[0]!;
			if (oldest.firstSeq + oldest.count > ackSeq || oldest === this.#active?.segment) {
				break;
			}

			this.#segments.shift();
			deleted++;
			await head.release(oldest);
			// A file that cannot be removed (a read-only disk) holds stored rows only: the next start
			// replays them, and the database ignores them as duplicates.
			await this.#options.fileSystem.remove(oldest.path).catch(() => undefined);
		}

		return deleted;
	}

	/** The segment to append row `seq` to: the open one if `seq` follows its last row, else a new one. */
	async #activeFor(seq: number): Promise<Active> {
		if (this.#active && this.#active.segment.firstSeq + this.#active.segment.count !== seq) {
			// The rows in between were stored before they were written: a segment holds consecutive rows.
			await this.seal();
		}

		if (this.#active) {
			return this.#active;
		}

		const {directory, fileSystem} = this.#options;
		const name = directory.segmentName(this.#nextNumber);
		const file = path.join(directory.path, name);
		let handle: JournalFile;
		try {
			handle = await fileSystem.open(file);
		} catch (error) {
			// Some failures leave an empty file behind (a read-only remount after the create).
			await fileSystem.remove(file).catch(() => undefined);
			throw error;
		}

		this.#nextNumber++;
		const segment: Segment = {name, path: file, firstSeq: seq, count: 0, bytes: 0, leftover: false};
		this.#active = {segment, file: handle, syncedBytes: 0};
		this.#segments.push(segment);
		await directory.syncDirectory();
		return this.#active;
	}

	/** After a failed fsync: only what the last good one covered is surely on disk. */
	#forgetUnsynced(active: Active): void {
		const {segment} = active;
		const kept = Math.max(0, this.#syncedSeq - segment.firstSeq);
		segment.count = Math.min(segment.count, kept);
		segment.bytes = active.syncedBytes;
		this.#writtenSeq = segment.firstSeq + segment.count;
		this.#syncedSeq = Math.min(this.#syncedSeq, this.#writtenSeq);
	}

	/**
	Closes the open segment as it stands: cut back to the rows it is known to hold (a failed write
	may have left part of a line, or whole lines of rows that will be written again), fsync'd, and
	removed if it holds none.
	*/
	async #closeActive(): Promise<void> {
		const active = this.#active;
		if (!active) {
			return;
		}

		this.#active = undefined;
		const {segment, file} = active;
		segment.sealed = true;
		if (segment.count > 0 && this.#syncedSeq < segment.firstSeq + segment.count) {
			try {
				await file.truncate(segment.bytes);
				await file.datasync();
				this.#syncedSeq = segment.firstSeq + segment.count;
			} catch (error) {
				this.#fault = journalFault(error, this.#options.now(), this.#fault);
				this.#forgetUnsynced(active);
			}
		}

		// A no-op unless a failed write or fsync left more in the file than it is known to hold.
		await file.truncate(segment.bytes).catch(() => undefined);
		await file.close().catch(() => undefined);
		if (segment.count === 0) {
			this.#segments.splice(this.#segments.indexOf(segment), 1);
			const removed = await this.#options.fileSystem.remove(segment.path).then(() => true, () => false);
			if (removed && this.#options.directory.segmentNumber(segment.name) === this.#nextNumber - 1) {
				// The name is free again: the next attempt reuses it, so names show no gaps.
				this.#nextNumber--;
			}
		}
	}
}
