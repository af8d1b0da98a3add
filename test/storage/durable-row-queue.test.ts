import {existsSync} from 'node:fs';
import {appendFile, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {crc32} from 'node:zlib';
import test from 'ava';
import {openJournalDirectory} from '../../source/storage/journal-directory.js';
import {decodeJournalLine, encodeJournalLine, isIntactJournalLine} from '../../source/storage/journal-record.js';
import {drain, open, pending, pushRange, scratch, seededRandom, segmentsIn} from './queue-fixture.js';

/** A journal line as `json` would be written: checksum, space, JSON (no newline). */
function journalLine(json: string): Buffer {
	return Buffer.from(`${crc32(json).toString(16).padStart(8, '0')} ${json}`);
}

test('a journal line carries a checksum of its JSON; damage and truncation are detected', t => {
	const line = encodeJournalLine({...pending(1), site: {intervalSeconds: 30, regex: 'ok'}});
	t.regex(line, /^[\da-f]{8} \{.*\}\n$/);
	const body = Buffer.from(line.slice(0, -1));
	t.true(isIntactJournalLine(body));
	t.deepEqual(decodeJournalLine(body), {...pending(1), site: {intervalSeconds: 30, regex: 'ok'}});
	t.false(isIntactJournalLine(body.subarray(0, -3)), 'truncated');
	const damaged = Buffer.from(body);
	damaged[20] = damaged[20]! ^ 0x01;
	t.false(isIntactJournalLine(damaged), 'one bit flipped');
	t.false(isIntactJournalLine(Buffer.from('garbage')));
});

test('a line of the version before sent_at (9-element row) decodes with sent_at null; other shapes do not', t => {
	// Verbatim what that version wrote.
	const old = journalLine('{"u":"https://old.example:443","r":[0,"2026-01-01T00:00:00.000Z",0.25,598,2,"no answer","2026-01-01T00:00:00.000Z","timeout",null],"i":10,"x":null}');
	t.true(isIntactJournalLine(old));
	t.deepEqual(decodeJournalLine(old), {
		url: 'https://old.example:443',
		row: [0, '2026-01-01T00:00:00.000Z', 0.25, 598, 2, 'no answer', '2026-01-01T00:00:00.000Z', 'timeout', null, null],
		site: {intervalSeconds: 10, regex: null},
	});

	const [sent, unsent] = [pending(0), pending(1)];
	t.is(sent.row[9], '2026-01-01T00:00:00.003Z');
	t.deepEqual(decodeJournalLine(Buffer.from(encodeJournalLine(sent).slice(0, -1))), {...sent, site: undefined});
	t.deepEqual(decodeJournalLine(Buffer.from(encodeJournalLine(unsent).slice(0, -1))), {...unsent, site: undefined});

	const row = JSON.stringify(sent.row.slice(0, 9));
	for (const shape of [row.replace(/\]$/, ',1767225600003]'), row.replace(/\]$/, ',null,null]'), JSON.stringify(sent.row.slice(0, 8))]) {
		t.is(decodeJournalLine(journalLine(`{"u":"https://x.example:443","r":${shape}}`)), undefined, shape);
	}
});

test('rows survive the process: a reopened journal yields them in order, matched by URL (id hint 0)', async t => {
	const directory = await scratch(t);
	const first = await open(directory, {segmentRows: 10});
	await pushRange(first.queue, 0, 25, 10);

	await first.queue.sync();
	t.is(first.queue.journaled, 25);
	await first.queue.close();
	t.deepEqual(await segmentsIn(directory), ['00000001.v1.ndjson', '00000002.v1.ndjson', '00000003.v1.ndjson']);

	const second = await open(directory, {segmentRows: 10});
	t.is(second.queue.size, 25);
	t.true(second.queue.headOnDisk);
	second.queue.push(pending(25));
	const rows = await drain(second.queue);
	t.deepEqual(rows.map(row => row!.row[1]), Array.from({length: 26}, (_, index) => pending(index).row[1]));
	t.deepEqual(rows.map(row => row!.row.slice(1)), Array.from({length: 26}, (_, index) => pending(index).row.slice(1)), 'every other column, sent_at included, comes back');
	t.true(rows.slice(0, 25).every(row => row!.row[0] === 0), 'ids from an earlier run are not trusted');
	t.is(rows[25]!.row[0], 7, 'a row of this run keeps its id');
	await second.queue.close();
	t.false(existsSync(directory), 'an empty journal directory is removed');
	t.deepEqual(second.warnings, []);
});

test('a torn last line and a damaged line are skipped with a warning, never a crash', async t => {
	const directory = await scratch(t);
	const first = await open(directory);
	for (let index = 0; index < 5; index++) {
		first.queue.push(pending(index));
	}

	await first.queue.sync();
	await first.queue.close();
	const [segment] = await segmentsIn(directory);
	const file = path.join(directory, segment!);
	const lines = (await readFile(file, 'utf8')).split('\n');
	lines[2] = lines[2]!.replace('200', '201');
	await writeFile(file, lines.join('\n'));
	await appendFile(file, encodeJournalLine(pending(5)).slice(0, 40));

	const second = await open(directory);
	t.is(second.queue.size, 4);
	t.is(second.warnings.length, 2);
	t.regex(second.warnings.join('\n'), /last line is incomplete .* skipped 40 bytes/);
	t.regex(second.warnings.join('\n'), /1 damaged lines \(wrong checksum\) skipped/);
	const rows = await drain(second.queue);
	t.deepEqual(rows.map(row => row!.row[1]), [0, 1, 3, 4].map(index => pending(index).row[1]));
	await second.queue.close();
});

test('past maxMemoryRows the oldest rows are read back from disk, in order, and segments go once stored', async t => {
	const directory = await scratch(t);
	const {queue, warnings} = await open(directory, {maxMemoryRows: 100, segmentRows: 150});
	await pushRange(queue, 0, 1000, 50);

	await queue.sync();
	t.is(queue.size, 1000);
	t.true(queue.headOnDisk, 'the oldest rows are only in the journal now');
	t.true((await segmentsIn(directory)).length >= 6);
	const first = await queue.peek(40);
	t.is(first.length, 40);
	queue.drop(40);
	// New rows keep arriving while the old ones are replayed.
	await pushRange(queue, 1000, 1200, 50);

	const rest = await drain(queue, 33);
	t.deepEqual([...first, ...rest].map(row => row!.row[1]), Array.from({length: 1200}, (_, index) => pending(index).row[1]));
	await queue.sync();
	t.true((await segmentsIn(directory)).length <= 1, 'stored segments are deleted');
	await queue.close();
	t.false(existsSync(directory));
	t.deepEqual(warnings, []);
});

test('a journal directory is owned by one process at a time', async t => {
	const directory = await scratch(t);
	const {queue} = await open(directory);
	await t.throwsAsync(openJournalDirectory(directory, 'test target'), {message: /journal directory .* is in use by this process/});
	await queue.close();
	const again = await open(directory);
	await again.queue.close();
});

test('random pushes, reads, stores and restarts never lose, reorder or repeat a row', async t => {
	for (let round = 0; round < 4; round++) {
		const directory = await scratch(t);
		const random = seededRandom((round * 7919) + 1);

		const sizes = () => ({maxMemoryRows: 1 + Math.floor(random() * 200), segmentRows: 1 + Math.floor(random() * 300)});
		let {queue} = await open(directory, sizes());
		let pushed = 0;
		let stored = 0;
		for (let step = 0; step < 1500; step++) {
			const action = random();
			if (action < 0.5) {
				for (let count = Math.floor(random() * 50); count > 0; count--) {
					queue.push(pending(pushed++));
				}
			} else if (action < 0.85) {
				const rows = await queue.peek(1 + Math.floor(random() * 100));
				const take = Math.floor(random() * (rows.length + 1));
				for (const row of rows.slice(0, take)) {
					t.is(row?.row[1], pending(stored++).row[1]);
				}

				queue.drop(take);
			} else if (action < 0.9) {
				await new Promise(resolve => {
					setImmediate(resolve);
				});
			} else if (action < 0.93) {
				await queue.sync();
			} else if (action < 0.95) {
				await queue.close();
				({queue} = await open(directory, sizes()));
				t.is(queue.size, pushed - stored, 'a restart resumes exactly where the last one stopped');
			}
		}

		const rest = await drain(queue, 100);
		t.deepEqual(rest.map(row => row?.row[1]), Array.from({length: pushed - stored}, (_, index) => pending(stored + index).row[1]));
		await queue.close();
		t.false(existsSync(directory));
	}
});
