import {readFile, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {Segment} from './journal-head-reader.js';
import type {JournalDirectory} from './journal-directory.js';
import {scanJournalSegment} from './journal-segment-reader.js';

/**
Written at close when the oldest segment left behind was partly stored: how many of its rows to
skip at the next start. Only an optimisation (a crash leaves none, and replaying stored rows is
harmless), but it keeps "N results journaled" and "N results left by an earlier run" equal.
*/
const storedMarkName = 'stored.json';

async function readStoredMark(directory: string): Promise<{segment: string; rows: number} | undefined> {
	const file = path.join(directory, storedMarkName);
	try {
		const text = await readFile(file, 'utf8');
		// Read once: a mark is about the segments as they were, and a damaged one (a write cut short
		// on a full disk) is no use either.
		await rm(file, {force: true});
		const mark = JSON.parse(text) as {segment?: unknown; rows?: unknown};
		return typeof mark.segment === 'string' && Number.isSafeInteger(mark.rows) ? {segment: mark.segment, rows: mark.rows as number} : undefined;
	} catch {
		return undefined;
	}
}

/** Records at close that the first `rows` rows of `segment` (the oldest left behind) are stored. */
export async function writeStoredMark(directory: string, segment: Segment, rows: number): Promise<void> {
	const file = path.join(directory, storedMarkName);
	try {
		await (rows > 0 ? writeFile(file, JSON.stringify({segment: segment.name, rows})) : rm(file, {force: true}));
	} catch (error) {
		// A full disk creates the file and then refuses its bytes: no empty mark is left behind.
		await rm(file, {force: true}).catch(() => undefined);
		throw error;
	}
}

/**
The segments an earlier run left in `directory`, oldest first, numbered on from sequence number 0.
Each is counted and checked before anything else: a torn last line or a damaged line is skipped
with a warning; a segment with nothing left to store is deleted.
*/
export async function loadLeftoverSegments(
	directory: JournalDirectory,
	warn: (line: string) => void,
): Promise<{segments: Segment[]; nextNumber: number}> {
	const segments: Segment[] = [];
	let nextNumber = 1;
	let seq = 0;
	const mark = await readStoredMark(directory.path);
	for (const name of directory.leftover) {
		const file = path.join(directory.path, name);
		const [scan, info] = await Promise.all([scanJournalSegment(file), stat(file)]);
		if (scan.tornBytes > 0) {
			warn(`journal ${file}: the last line is incomplete (a write cut short by a crash); skipped ${scan.tornBytes} bytes`);
		}

		if (scan.corrupt > 0) {
			warn(`journal ${file}: ${scan.corrupt} damaged lines (wrong checksum) skipped`);
		}

		nextNumber = Math.max(nextNumber, directory.segmentNumber(name) + 1);
		const stored = mark?.segment === name ? Math.min(scan.rows, Math.max(0, mark.rows)) : 0;
		if (scan.rows === stored) {
			await rm(file, {force: true});
			continue;
		}

		segments.push({name, path: file, firstSeq: seq, count: scan.rows - stored, bytes: info.size, leftover: true, stored, sealed: true});
		seq += scan.rows - stored;
	}

	return {segments, nextNumber};
}
