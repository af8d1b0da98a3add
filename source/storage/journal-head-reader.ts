import {JournalSegmentReader} from './journal-segment-reader.js';
import type {PendingRow} from './journal-record.js';

/** One journal file and the rows (by sequence number) it holds. */
export type Segment = {
	readonly name: string;
	readonly path: string;
	/** Sequence number of its first row. */
	readonly firstSeq: number;
	/** Rows in it (grows while it is the segment being appended to). */
	count: number;
	bytes: number;
	/** Left by an earlier run: its website ids may be stale, so its rows are matched by URL. */
	readonly leftover: boolean;
	/** Intact rows at the start of the file that were stored before it was left behind (not counted in `count`). */
	readonly stored?: number;
	/**
	No more rows go into it: it holds exactly `count` rows (after `stored`). Lines past them were left by
	a write that failed and could not be cut off; their rows are written again in a later segment.
	*/
	sealed?: boolean;
};

/**
Reads rows back from the journal in sequence order, for the part of the queue that no longer fits in
memory. Rows are addressed by sequence number: segment `s` holds `[s.firstSeq, s.firstSeq + s.count)`.
Reads move forward only, one segment and one 1 MiB chunk at a time, because the queue only ever asks
for its oldest rows.
*/
export class JournalHeadReader {
	readonly #segments: () => readonly Segment[];
	readonly #warn: (line: string) => void;
	#segment: Segment | undefined;
	#reader: JournalSegmentReader | undefined;
	#buffer: Array<PendingRow | undefined> = [];
	/** Sequence number of `#buffer[0]`. */
	#bufferSeq = 0;
	/** Rows of the open segment still to be skipped (stored before the reader reached them). */
	#skip = 0;

	constructor(segments: () => readonly Segment[], warn: (line: string) => void) {
		this.#segments = segments;
		this.#warn = warn;
	}

	/** The rows with sequence numbers `[from, from + count)`, read from disk as needed. */
	async read(from: number, count: number): Promise<Array<PendingRow | undefined>> {
		this.#forget(from);
		while (this.#bufferSeq + this.#buffer.length < from + count) {
			if (!await this.#readMore(this.#bufferSeq + this.#buffer.length)) {
				break;
			}
		}

		const start = from - this.#bufferSeq;
		return this.#buffer.slice(start, start + count);
	}

	/**
	Closes the open segment if it is `segment` (before it is deleted). Rows read ahead stay: they
	belong to later sequence numbers and are still valid.
	*/
	async release(segment: Segment): Promise<void> {
		if (this.#segment === segment) {
			await this.#closeReader();
		}
	}

	/** Closes the open segment and forgets what was read ahead. */
	async close(): Promise<void> {
		this.#buffer = [];
		await this.#closeReader();
	}

	async #closeReader(): Promise<void> {
		const reader = this.#reader;
		this.#reader = undefined;
		this.#segment = undefined;
		await reader?.close();
	}

	/** Drops rows before `from` (stored already), so the buffer holds at most one chunk ahead. */
	#forget(from: number): void {
		if (from <= this.#bufferSeq) {
			return;
		}

		const stale = Math.min(this.#buffer.length, from - this.#bufferSeq);
		this.#buffer.splice(0, stale);
		this.#bufferSeq += stale;
		if (this.#bufferSeq < from) {
			// Everything buffered was stale, and more: start again at `from`.
			void this.close();
			this.#bufferSeq = from;
		}
	}

	/** Appends the rows that follow `next` to the buffer. False when there are none. */
	async #readMore(next: number): Promise<boolean> {
		const segment = this.#segments().find(candidate => next >= candidate.firstSeq && next < candidate.firstSeq + candidate.count);
		if (!segment) {
			return false;
		}

		if (this.#segment !== segment) {
			await this.#closeReader();
			this.#reader = await JournalSegmentReader.open(segment.path);
			this.#segment = segment;
			this.#skip = next - segment.firstSeq + (segment.stored ?? 0);
		}

		const chunk = await this.#reader!.next();
		if (!chunk) {
			// Fewer intact rows than written: the file was damaged after we wrote it. The missing rows
			// are lost; they are counted (as undefined) so every later row keeps its place.
			const missing = segment.firstSeq + segment.count - next;
			this.#warn(`journal ${segment.path}: ${missing} rows could not be read back (the file was damaged)`);
			this.#buffer.push(...Array.from({length: missing}, () => undefined));
			await this.#closeReader();
			return missing > 0;
		}

		let rows = chunk;
		if (this.#skip > 0) {
			const skipped = Math.min(this.#skip, rows.length);
			rows = rows.slice(skipped);
			this.#skip -= skipped;
		}

		if (segment.sealed) {
			rows = rows.slice(0, Math.max(0, segment.firstSeq + segment.count - next));
		}

		// Lines past `count` of the open segment belong to a write still finishing; they are its next
		// rows, so they are kept (a complete line is a row, whatever the bookkeeping knows yet).
		for (const pending of rows) {
			this.#buffer.push(segment.leftover && pending ? {...pending, row: [0, ...pending.row.slice(1)] as PendingRow['row']} : pending);
		}

		return true;
	}
}
