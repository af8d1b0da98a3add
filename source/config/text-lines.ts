import {open, type FileHandle} from 'node:fs/promises';
import {TextDecoder} from 'node:util';
import {InputError} from '../errors.js';
import {describeSystemError} from '../text/describe-system-error.js';
import {quoteUntrusted} from '../text/sanitize.js';
import {fieldAt} from './csv-line.js';
import {maxLineLength, maxSitesFileBytes} from './input-limits.js';

/** How `readTextLines` reads a file. */
export type TextLinesOptions = {
	/** Names the file in messages, as the user gave it. */
	readonly label: string;
	/** A WHATWG encoding label (`utf-8`, `latin1`, `windows-1252`, `utf-16le`...). Default UTF-8. */
	readonly encoding?: string | undefined;
	/** Field names by position, for messages (`url` for field 1). */
	readonly fieldNames?: readonly string[];
	readonly maxBytes?: number;
	readonly maxLineLength?: number;
};

const chunkBytes = 1024 * 1024;

/**
Reads a text file as a stream and yields its lines in order, in batches (one per chunk read), without
their line breaks (LF, CRLF or CR). A byte order mark is dropped. The file is never held whole: at
most one chunk and one unfinished line are; that unfinished line may hold up to `maxLineLength`
characters (4 bytes each at most), and callers check the length of the lines they get.

@yields The lines of one chunk read, in order.
@throws {InputError} When the file cannot be opened (the system's reason: `permission denied
(EACCES)`), is larger than `maxBytes`, has a line of more than `maxLineLength * 4` bytes, or
holds bytes that are not valid in the encoding, named by line and field: never silently replaced.
*/
export async function * readTextLines(path: string, options: TextLinesOptions): AsyncGenerator<string[]> {
	const {label} = options;
	const maxBytes = options.maxBytes ?? maxSitesFileBytes;
	const maxLength = options.maxLineLength ?? maxLineLength;
	const decoder = createDecoder(options.encoding);
	// UTF-16 cuts only between code units; every other supported encoding writes LF and CR as one byte.
	const unitBytes = decoder.encoding.startsWith('utf-16') ? 2 : 1;
	const handle = await openAtMost(path, label, maxBytes);
	let total = 0;
	let lineCount = 0;
	let carry: Uint8Array = new Uint8Array(0);
	const take = (text: string): string[] => {
		const lines = text.split(/\r\n|\r|\n/);
		lineCount += lines.length;
		return lines;
	};

	try {
		for await (const chunk of handle.createReadStream({highWaterMark: chunkBytes, autoClose: false}) as AsyncIterable<Buffer>) {
			total += chunk.length;
			if (total > maxBytes) {
				throw tooLarge(label, maxBytes);
			}

			const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
			const cut = afterLastLineBreak(bytes, unitBytes, decoder.encoding === 'utf-16be');
			carry = bytes.subarray(cut);
			if (cut > 0) {
				const lines = take(decode(decoder, bytes.subarray(0, cut), true, {...options, firstLine: lineCount + 1}));
				// The text ended with a line break: the empty string after it is not a line.
				lines.pop();
				lineCount--;
				// Before the check below: a problem on an earlier line is the one to report.
				yield lines;
			}

			if (carry.length > maxLength * 4) {
				throw tooLong(label, lineCount + 1, maxLength);
			}
		}

		const rest = decode(decoder, carry, false, {...options, firstLine: lineCount + 1});
		if (rest !== '') {
			yield take(rest);
		}
	} catch (error) {
		// A directory opens, then fails at the first read (EISDIR); so may a device.
		throw error instanceof InputError || typeof (error as NodeJS.ErrnoException).errno !== 'number'
			? error
			: new InputError(`cannot read sites file ${label}: ${describeSystemError(error)}`, {cause: error});
	} finally {
		await handle.close();
	}
}

/** Opens `path`, refusing at once a file whose size is already over `maxBytes`. */
async function openAtMost(path: string, label: string, maxBytes: number): Promise<FileHandle> {
	let handle: FileHandle | undefined;
	try {
		handle = await open(path, 'r');
		const {size} = await handle.stat();
		if (size > maxBytes) {
			throw tooLarge(label, maxBytes);
		}

		return handle;
	} catch (error) {
		await handle?.close();
		throw error instanceof InputError ? error : new InputError(`cannot read sites file ${label}: ${describeSystemError(error)}`, {cause: error});
	}
}

function createDecoder(encoding = 'utf-8'): TextDecoder {
	try {
		return new TextDecoder(encoding, {fatal: true});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ERR_ENCODING_NOT_SUPPORTED') {
			throw new InputError(`--csv-encoding ${quoteUntrusted(encoding)} is not an encoding Node.js knows (e.g. utf-8, latin1, windows-1252, utf-16le)`, {cause: error});
		}

		throw error;
	}
}

/**
The offset just after the last line break in `bytes` (0 when there is none), on a code unit boundary.
A CR as the last unit stays behind: an LF may follow in the next chunk, and CRLF is one break.
*/
function afterLastLineBreak(bytes: Uint8Array, unitBytes: number, bigEndian: boolean): number {
	if (unitBytes === 1) {
		const lf = bytes.lastIndexOf(0x0A);
		if (lf !== -1) {
			return lf + 1;
		}

		// Not `lastIndexOf(0x0D, -1)`: a negative start counts from the end.
		return bytes.length < 2 ? 0 : bytes.lastIndexOf(0x0D, bytes.length - 2) + 1;
	}

	const last = bytes.length - (bytes.length % 2) - 2;
	for (let index = last; index >= 0; index -= 2) {
		const unit = bigEndian ? (bytes[index]! << 8) | bytes[index + 1]! : bytes[index]! | (bytes[index + 1]! << 8);
		if (unit === 0x0A || (unit === 0x0D && index !== last)) {
			return index + 2;
		}
	}

	return 0;
}

type Where = TextLinesOptions & {readonly firstLine: number};

function decode(decoder: TextDecoder, bytes: Uint8Array, stream: boolean, where: Where): string {
	try {
		return decoder.decode(bytes, {stream});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
			throw undecodable(bytes, decoder.encoding, where, error);
		}

		throw error;
	}
}

/** Names the line, field and byte of the first sequence in `bytes` that `encoding` cannot decode. */
function undecodable(bytes: Uint8Array, encoding: string, where: Where, cause: unknown): InputError {
	const valid = validPrefixLength(bytes, encoding);
	const text = new TextDecoder(encoding).decode(bytes.subarray(0, valid));
	const lines = text.split(/\r\n|\r|\n/);
	const lineText = lines.at(-1)!;
	const field = fieldAt(lineText, lineText.length);
	const fieldName = where.fieldNames?.[field];
	const byte = bytes[valid] ?? bytes[valid - 1] ?? 0;
	const hint = encoding === 'utf-8'
		? `; save it as UTF-8 or name its encoding with --csv-encoding (e.g. latin1, windows-1252, utf-16le)${startsLikeUtf16(bytes, where.firstLine) ? '; it starts like UTF-16' : ''}`
		: '';
	return new InputError(
		`${where.label}:${where.firstLine + lines.length - 1}: field ${field + 1}${fieldName ? ` (${fieldName})` : ''} is not valid ${encoding.toUpperCase()}: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}${hint}`,
		{cause},
	);
}

/**
How many leading bytes decode: a fresh streaming decoder accepts a prefix that merely ends inside a
character, so acceptance only shrinks as the prefix grows, and a binary search finds the first bad
sequence. Runs only on the error path.
*/
function validPrefixLength(bytes: Uint8Array, encoding: string): number {
	let low = 0;
	let high = bytes.length;
	while (low < high) {
		const middle = Math.ceil((low + high) / 2);
		try {
			new TextDecoder(encoding, {fatal: true}).decode(bytes.subarray(0, middle), {stream: true});
			low = middle;
		} catch {
			high = middle - 1;
		}
	}

	// The accepted prefix may end inside the bad sequence (a lead byte awaiting what never came):
	// back up to where a complete decode ends.
	while (low > 0 && !decodes(bytes.subarray(0, low), encoding)) {
		low--;
	}

	return low;
}

function decodes(bytes: Uint8Array, encoding: string): boolean {
	try {
		new TextDecoder(encoding, {fatal: true}).decode(bytes);
		return true;
	} catch {
		return false;
	}
}

function startsLikeUtf16(bytes: Uint8Array, firstLine: number): boolean {
	return firstLine === 1 && ((bytes[0] === 0xFF && bytes[1] === 0xFE) || (bytes[0] === 0xFE && bytes[1] === 0xFF));
}

function tooLarge(label: string, maxBytes: number): InputError {
	return new InputError(`${label}: the file is larger than ${maxBytes / 1024 / 1024} MiB, the most a sites file may be (a million sites take about 40 MB)`);
}

/** The message for a line over `maxLength` characters (also used by callers that check whole lines). */
export function tooLong(label: string, line: number, maxLength = maxLineLength): InputError {
	return new InputError(`${label}:${line}: the line is longer than ${maxLength.toLocaleString('en')} characters, the most a site's line may be (is this a sites file?)`);
}
