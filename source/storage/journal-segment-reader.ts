import {open, type FileHandle} from 'node:fs/promises';
import {decodeJournalLine, isIntactJournalLine, type PendingRow} from './journal-record.js';

const chunkBytes = 1 << 20;

/**
Reads a file's newline-terminated lines in 1 MiB chunks, so a journal of millions of rows never has
to fit in memory. Bytes after the last newline are a torn line (a write cut short by a crash): they
are counted in `tornBytes`, never returned.
*/
class LineChunks {
	readonly #handle: FileHandle;
	#position = 0;
	#carry: Buffer = Buffer.alloc(0);
	/** Bytes after the last newline, known once `next` returned undefined. */
	tornBytes = 0;

	constructor(handle: FileHandle) {
		this.#handle = handle;
	}

	/**
	The next chunk's complete lines (without newlines), or undefined at the end of the file. The end
	is not final: a segment still being appended to can be read on once more lines are written.
	*/
	async next(): Promise<Buffer[] | undefined> {
		for (;;) {
			const buffer = Buffer.allocUnsafe(chunkBytes);
			const {bytesRead} = await this.#handle.read(buffer, 0, chunkBytes, this.#position);
			if (bytesRead === 0) {
				this.tornBytes = this.#carry.length;
				return undefined;
			}

			this.#position += bytesRead;
			const data = this.#carry.length > 0
				? Buffer.concat([this.#carry, buffer.subarray(0, bytesRead)])
				: buffer.subarray(0, bytesRead);
			const lines: Buffer[] = [];
			let start = 0;
			for (let end = data.indexOf(0x0A, start); end !== -1; end = data.indexOf(0x0A, start)) {
				lines.push(data.subarray(start, end));
				start = end + 1;
			}

			// Copied: `data` may be a view of a 1 MiB buffer that would otherwise stay alive.
			this.#carry = Buffer.from(data.subarray(start));
			if (lines.length > 0) {
				return lines;
			}
		}
	}
}

/** What a look through a segment found. */
export type SegmentScan = {
	/** Intact lines: what replay will read back. */
	readonly rows: number;
	/** Complete lines whose checksum is wrong (damaged on disk); skipped. */
	readonly corrupt: number;
	/** Bytes of an incomplete last line (a torn write); skipped. */
	readonly tornBytes: number;
};

/** Counts a segment's intact, damaged and torn lines without parsing any JSON. */
export async function scanJournalSegment(path: string): Promise<SegmentScan> {
	const handle = await open(path, 'r');
	try {
		const chunks = new LineChunks(handle);
		let rows = 0;
		let corrupt = 0;
		for (let lines = await chunks.next(); lines; lines = await chunks.next()) {
			for (const line of lines) {
				if (isIntactJournalLine(line)) {
					rows++;
				} else {
					corrupt++;
				}
			}
		}

		return {rows, corrupt, tornBytes: chunks.tornBytes};
	} finally {
		await handle.close();
	}
}

/**
Reads a segment's intact lines back, chunk by chunk, in order. Damaged lines are skipped exactly as
`scanJournalSegment` skips them, so both agree on which row is the n-th. An intact line this version
cannot decode comes back as undefined, so it still takes its place in the sequence.
*/
export class JournalSegmentReader {
	readonly #handle: FileHandle;
	readonly #chunks: LineChunks;

	private constructor(handle: FileHandle) {
		this.#handle = handle;
		this.#chunks = new LineChunks(handle);
	}

	/** Opens `path` for reading from its start. */
	static async open(path: string): Promise<JournalSegmentReader> {
		return new JournalSegmentReader(await open(path, 'r'));
	}

	/** The next chunk of rows, or undefined after the last. */
	async next(): Promise<Array<PendingRow | undefined> | undefined> {
		for (let lines = await this.#chunks.next(); lines; lines = await this.#chunks.next()) {
			const rows: Array<PendingRow | undefined> = [];
			for (const line of lines) {
				if (isIntactJournalLine(line)) {
					rows.push(decodeJournalLine(line));
				}
			}

			if (rows.length > 0) {
				return rows;
			}
		}

		return undefined;
	}

	async close(): Promise<void> {
		await this.#handle.close().catch(() => undefined);
	}
}
