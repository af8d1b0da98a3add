import {readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import type {DurableRowQueue} from '../../source/storage/durable-row-queue.js';
import {encodeJournalLine} from '../../source/storage/journal-record.js';
import {waitFor} from '../helpers/wait-for.js';
import {faultyFileSystem} from './faulty-file-system.js';
import {drain, open, pending, pushRange, scratch, seededRandom, segmentsIn} from './queue-fixture.js';

/**
The journal on a disk that fails: an injected file system raises ENOSPC, EROFS or EIO on cue. What
must hold: one line at once naming the directory and the cause, rows kept in memory up to the bound
(then the queue says it is full), nothing claimed as journaled that is not on disk, no empty or
half-written segment, and every row written once the disk works again.
*/

const fast = {retryInitialMs: 10, retryMaxMs: 40, syncEveryMs: 5};

function pushRows(queue: DurableRowQueue, from: number, to: number) {
	for (let index = from; index < to; index++) {
		queue.push(pending(index));
	}
}

/** Segment files with their sizes: an empty one would show as 0. */
async function segmentSizes(directory: string): Promise<number[]> {
	const names = await segmentsIn(directory);
	return Promise.all(names.map(async name => (await stat(path.join(directory, name))).size));
}

/** Reopens the journal and checks it holds rows `0..count-1` exactly once each, in order, undamaged. */
async function reopenHolds(t: ExecutionContext, directory: string, count: number) {
	const again = await open(directory);
	t.is(again.queue.size, count);
	const rows = await drain(again.queue);
	t.deepEqual(rows.map(row => row?.row[1]), Array.from({length: count}, (_, index) => pending(index).row[1]));
	t.deepEqual(again.warnings, [], 'no torn or damaged line: what a failed write left was cut off');
	await again.queue.close();
}

test('ENOSPC in the middle of a segment: one line at once, rows wait in memory, the half write is cut off, all written later', async t => {
	const directory = await scratch(t);
	const disk = faultyFileSystem();
	const {queue, warnings} = await open(directory, {...fast, fileSystem: disk.fileSystem, maxMemoryRows: 20});
	const changes: boolean[] = [];
	queue.onFull(full => changes.push(full));
	await pushRange(queue, 0, 10, 10);
	t.is(queue.journaled, 10);

	// Half of the next write reaches the file: whole lines and a torn one.
	disk.faults.append = {code: 'ENOSPC', written: 0.5};
	pushRows(queue, 10, 20);
	await waitFor(() => warnings.length > 0, 10_000);
	t.is(warnings[0], `journal ${directory}: cannot write: the disk is full (ENOSPC); new results wait in memory only (up to 20, then checks hold) while the write is retried with backoff`);
	t.is(queue.fault?.code, 'ENOSPC');
	t.like(queue, {journaled: 10, memoryOnly: 10, size: 20, full: false});

	pushRows(queue, 20, 30);
	t.true(queue.full, '20 rows in memory only: the bound');
	t.deepEqual(changes, [true]);
	await waitFor(() => disk.failed.append >= 3, 10_000);
	t.is(warnings.length, 1, 'retries say nothing new');
	t.is(queue.journaled, 10, 'nothing is claimed as journaled that is not on disk');

	delete disk.faults.append;
	// Said once the journal stayed writable a while (the retry cap, here 40 ms).
	await waitFor(() => warnings.length === 2, 10_000);
	t.regex(warnings[1]!, new RegExp(String.raw`^journal ${directory}: written again after \d+ s \(the disk is full \(ENOSPC\)\)$`));
	await queue.sync();
	t.like(queue, {journaled: 30, memoryOnly: 0, full: false});
	t.deepEqual(changes, [true, false]);
	t.true((await segmentSizes(directory)).every(size => size > 0));
	await queue.close();
	t.is(queue.lost, 0);
	t.is(warnings.length, 2);
	await reopenHolds(t, directory, 30);
});

test('EROFS at open: no segment file is created, rows wait in memory, what is stored leaves it, the rest is counted lost at close', async t => {
	const directory = await scratch(t);
	const disk = faultyFileSystem();
	disk.faults.open = 'EROFS';
	const {queue, warnings} = await open(directory, {...fast, fileSystem: disk.fileSystem, maxMemoryRows: 10});
	pushRows(queue, 0, 5);
	await waitFor(() => warnings.length > 0, 10_000);
	t.regex(warnings[0]!, new RegExp(String.raw`^journal ${directory}: cannot write: the file system is read-only \(EROFS\); new results wait in memory only \(up to 10, then checks hold\)`));
	t.like(queue, {journaled: 0, memoryOnly: 5, full: false});

	pushRows(queue, 5, 10);
	t.true(queue.full);
	// The database stores some: they no longer need keeping.
	const stored = await queue.peek(3);
	t.deepEqual(stored.map(row => row?.row[1]), [0, 1, 2].map(index => pending(index).row[1]));
	queue.drop(3);
	t.like(queue, {memoryOnly: 7, full: false});
	await waitFor(() => disk.failed.open >= 4, 10_000);
	t.deepEqual(await segmentsIn(directory), [], 'no segment file, empty or not');

	await queue.close();
	t.is(queue.lost, 7);
	t.is(warnings.at(-1), `7 results could be neither stored nor journaled and are lost (the journal ${directory} cannot be written: the file system is read-only (EROFS))`);
	t.is(warnings.length, 2);
});

test('EIO on fsync: the rows it covered are not journaled; they are written again from memory, once each', async t => {
	const directory = await scratch(t);
	const disk = faultyFileSystem();
	// A small memory window: rows not yet fsync'd must stay in memory all the same.
	const {queue, warnings} = await open(directory, {...fast, fileSystem: disk.fileSystem, maxMemoryRows: 5});
	await pushRange(queue, 0, 10, 10);
	t.is(queue.journaled, 10);

	disk.faults.sync = 'EIO';
	pushRows(queue, 10, 20);
	await waitFor(() => warnings.length > 0, 10_000);
	t.regex(warnings[0]!, new RegExp(String.raw`^journal ${directory}: cannot write: the disk reported an I/O error \(EIO\)`));
	t.like(queue, {journaled: 10, memoryOnly: 10});
	t.true(queue.full);
	const first = await readFile(path.join(directory, '00000001.v1.ndjson'), 'utf8');
	t.is(first.split('\n').length, 11, 'the segment is cut back to what its last good fsync covered');
	await waitFor(() => disk.failed.sync >= 3, 10_000);
	t.is(queue.journaled, 10);

	delete disk.faults.sync;
	await waitFor(() => warnings.length === 2, 10_000);
	await queue.sync();
	t.like(queue, {journaled: 20, memoryOnly: 0, full: false});
	t.is(warnings.length, 2, 'one line when it failed, one when it worked again');
	await queue.close();
	await reopenHolds(t, directory, 20);
});

test('a segment whose first write failed is removed: rotation never leaves an empty file', async t => {
	const directory = await scratch(t);
	const disk = faultyFileSystem();
	const {queue, warnings} = await open(directory, {...fast, fileSystem: disk.fileSystem, segmentRows: 5});
	await pushRange(queue, 0, 10, 5);
	t.deepEqual(await segmentsIn(directory), ['00000001.v1.ndjson', '00000002.v1.ndjson']);

	// The next segment opens, and its first write fails before a byte is written.
	disk.faults.append = {code: 'EDQUOT', written: 0};
	pushRows(queue, 10, 15);
	await waitFor(() => disk.failed.append >= 5, 10_000);
	t.regex(warnings[0]!, /cannot write: the disk quota is used up \(EDQUOT\)/);
	await queue.close();
	t.is(queue.lost, 5);
	t.deepEqual(await segmentsIn(directory), ['00000001.v1.ndjson', '00000002.v1.ndjson'], 'six attempts (the last at close), no file left behind');
	t.true((await segmentSizes(directory)).every(size => size > 0));

	delete disk.faults.append;
	const again = await open(directory, {...fast, fileSystem: disk.fileSystem, segmentRows: 5});
	pushRows(again.queue, 10, 15);
	await again.queue.sync();
	t.deepEqual(await segmentsIn(directory), ['00000001.v1.ndjson', '00000002.v1.ndjson', '00000003.v1.ndjson']);
	await again.queue.close();
	await reopenHolds(t, directory, 15);
});

test('a disk that flaps (nearly full, as stored segments come and go) gets one line when it fails and one when it stays writable', async t => {
	const directory = await scratch(t);
	const disk = faultyFileSystem();
	// The retry cap is also how long it must stay writable before that is said: 2 s here.
	const {queue, warnings} = await open(directory, {retryInitialMs: 5, retryMaxMs: 2000, syncEveryMs: 5, fileSystem: disk.fileSystem});
	for (let flap = 0; flap < 4; flap++) {
		disk.faults.append = {code: 'ENOSPC', written: 0};
		pushRows(queue, flap * 5, (flap * 5) + 5);
		await waitFor(() => queue.fault !== undefined, 10_000);
		delete disk.faults.append;
		await waitFor(() => queue.fault === undefined, 10_000);
	}

	t.is(warnings.length, 1, warnings.join('\n'));
	await waitFor(() => warnings.length === 2, 10_000);
	t.regex(warnings[1]!, /written again after \d+ s \(the disk is full \(ENOSPC\)\)$/);
	await queue.close();
	await reopenHolds(t, directory, 20);
});

test('the journal size bound: past it rows wait in memory, the queue is full at the memory bound, stored rows make room', async t => {
	const directory = await scratch(t);
	const longest = Math.max(...Array.from({length: 6}, (_, index) => Buffer.byteLength(encodeJournalLine(pending(index)))));
	const bound = longest * 10;
	const {queue, warnings} = await open(directory, {...fast, maxJournalBytes: bound, maxMemoryRows: 10, segmentRows: 4});
	pushRows(queue, 0, 30);
	await waitFor(() => warnings.length > 0, 10_000);
	t.is(warnings[0], `journal ${directory}: cannot write: it reached its bound of ${bound} bytes (--journal-max-mb); new results wait in memory only (up to 10, then checks hold) until stored results make room`);
	await queue.sync();
	t.true(queue.journalBytes <= bound);
	t.true(queue.journaled >= 8 && queue.journaled <= 10, `${queue.journaled} rows fit`);
	t.is(queue.memoryOnly, 30 - queue.journaled);
	t.true(queue.full);

	// The database stores the oldest rows, four at a time: each stored segment makes room for more.
	const stored: Array<string | undefined> = [];
	while (queue.size > 0) {
		const rows = await queue.peek(4);
		stored.push(...rows.map(row => row?.row[1]));
		queue.drop(rows.length);
		await queue.sync();
		t.true(queue.journalBytes <= bound, 'never past the bound');
	}

	t.deepEqual(stored, Array.from({length: 30}, (_, index) => pending(index).row[1]));
	t.false(queue.full);
	t.is(queue.fault, undefined);
	await waitFor(() => warnings.length === 2, 10_000);
	t.regex(warnings[1]!, /written again after \d+ s \(it reached its bound/);
	await queue.close();
	t.is(queue.lost, 0);
});

test('random faults, pushes, stores and restarts: rows come back in order, once, except those counted lost', async t => {
	for (let round = 0; round < 3; round++) {
		const directory = await scratch(t);
		const random = seededRandom((round * 7919) + 17);

		const disk = faultyFileSystem();
		const codes = ['ENOSPC', 'EIO', 'EROFS', 'EDQUOT'];
		const options = () => ({...fast, fileSystem: disk.fileSystem, maxMemoryRows: 1 + Math.floor(random() * 150), segmentRows: 1 + Math.floor(random() * 100)});
		let {queue} = await open(directory, options());
		// The rows the queue must give back, in order: pushed, minus stored, minus those counted lost.
		let expected: number[] = [];
		let pushed = 0;
		for (let step = 0; step < 1200; step++) {
			const action = random();
			const code = codes[Math.floor(random() * codes.length)]!;
			if (action < 0.45) {
				for (let count = Math.floor(random() * 40); count > 0; count--) {
					expected.push(pushed);
					queue.push(pending(pushed++));
				}
			} else if (action < 0.75) {
				const rows = await queue.peek(1 + Math.floor(random() * 60));
				const take = Math.floor(random() * (rows.length + 1));
				t.deepEqual(rows.slice(0, take).map(row => row?.row[1]), expected.slice(0, take).map(index => pending(index).row[1]));
				expected = expected.slice(take);
				queue.drop(take);
			} else if (action < 0.82) {
				await new Promise(resolve => {
					setTimeout(resolve, random() * 20);
				});
			} else if (action < 0.88) {
				const fault = random();
				disk.faults.open = fault < 0.25 ? code : undefined;
				disk.faults.append = fault >= 0.25 && fault < 0.5 ? {code, written: random()} : undefined;
				disk.faults.sync = fault >= 0.5 && fault < 0.7 ? code : undefined;
			} else if (action < 0.9) {
				const {size} = queue;
				await queue.close();
				t.is(queue.journaled + queue.lost, size, 'every row waiting is either journaled or counted lost');
				// Lost rows are the newest: the ones only memory held.
				expected = expected.slice(0, expected.length - queue.lost);
				({queue} = await open(directory, options()));
				t.is(queue.size, expected.length, 'a restart resumes exactly with the rows journaled');
			}
		}

		disk.faults.open = undefined;
		disk.faults.append = undefined;
		disk.faults.sync = undefined;
		const rest = await drain(queue, 50);
		t.deepEqual(rest.map(row => row?.row[1]), expected.map(index => pending(index).row[1]));
		await queue.close();
		t.is(queue.lost, 0);
		t.deepEqual(await segmentsIn(directory), []);
	}
});
