import test from 'ava';
import {sql} from 'slonik';
import type {CheckResult} from '../../source/engine/types.js';
import {DatabaseUnavailableError} from '../../source/errors.js';
import {createBatchedResultWriter, type BatchedResultWriter} from '../../source/storage/batched-result-writer.js';
import {drainWriter, exitResultsLost, forcedStopKeeps} from '../../source/storage/drain-writer.js';
import {holdWhileFull} from '../../source/storage/hold-while-full.js';
import {upsertSites} from '../../source/storage/sites-repository.js';
import {forEachDatabase} from '../helpers/database.js';
import {waitFor} from '../helpers/wait-for.js';
import {checkResult} from './check-result-fixture.js';
import {faultyFileSystem} from './faulty-file-system.js';
import {open, scratch} from './queue-fixture.js';

/**
The writer when the journal's disk fails as well as the database: every line says where results
really are, the memory bound holds the checks, and a run that ends then ends with the truth.
*/

const start = Date.UTC(2026, 0, 1);
const fast = {retryInitialMs: 10, retryMaxMs: 40, syncEveryMs: 5};

function results(siteId: number, from: number, to: number): CheckResult[] {
	return Array.from({length: to - from}, (_, index) => checkResult({siteId, scheduledAt: start + ((from + index) * 1000)}));
}

function pushAll(writer: BatchedResultWriter, batch: readonly CheckResult[]) {
	for (const result of batch) {
		writer.push(result);
	}
}

test('database and journal both failing: messages say memory, the drain ends with the journaled and lost counts, exit 74', async t => {
	const directory = await scratch(t);
	const disk = faultyFileSystem();
	disk.faults.open = 'ENOSPC';
	const {queue, warnings} = await open(directory, {...fast, fileSystem: disk.fileSystem});
	const lines: string[] = [];
	const writer = createBatchedResultWriter({
		queue,
		retryInitialMs: 10,
		retryMaxMs: 40,
		async connect() {
			throw new DatabaseUnavailableError('cannot open PGlite database in /full: the disk is full');
		},
		notify(line) {
			lines.push(line);
		},
	});
	pushAll(writer, results(1, 0, 30));
	await waitFor(() => warnings.length > 0 && lines.length > 0, 10_000);
	t.regex(warnings[0]!, /cannot write: the disk is full \(ENOSPC\)/);
	t.is(lines[0], 'database write failed (cannot open PGlite database in /full: the disk is full); results are kept in memory only and retried with backoff');
	t.like(writer.stats(), {queued: 30, journaled: 0, memoryOnly: 30, journalFault: 'the disk is full (ENOSPC)', lost: 0});
	t.is(forcedStopKeeps(writer.stats()), 'results not stored yet are journaled if the journal can be written again; it cannot now: the disk is full (ENOSPC)');

	const log: string[] = [];
	const code = await drainWriter(writer, {log: line => log.push(line), stallMs: 300});
	t.is(code, exitResultsLost);
	t.is(log.at(-1), `the database could not store results for 0 s (cannot open PGlite database in /full: the disk is full): 0 results stay in the journal ${directory}; they are stored at the next start`);
	t.is(warnings.at(-1), `30 results could be neither stored nor journaled and are lost (the journal ${directory} cannot be written: the disk is full (ENOSPC))`);
	t.like(writer.stats(), {journaled: 0, lost: 30});
});

forEachDatabase('at the memory bound checks hold; once the database stores again they resume', async (t, {database}) => {
	const [site] = await upsertSites(database.pool, [{url: 'https://held.example:443', intervalSeconds: 1}]);
	const directory = await scratch(t);
	const disk = faultyFileSystem();
	disk.faults.open = 'EROFS';
	const {queue} = await open(directory, {...fast, fileSystem: disk.fileSystem, maxMemoryRows: 20});
	const writer = createBatchedResultWriter({pool: database.pool, queue, retryInitialMs: 10, retryMaxMs: 40, maxBatchAgeMs: 5});
	const holds: boolean[] = [];
	const log: string[] = [];
	holdWhileFull(writer, {hold: held => holds.push(held)}, line => log.push(line));
	await database.pool.query(sql.unsafe`ALTER TABLE healthcheck RENAME TO healthcheck_away`);

	pushAll(writer, results(site!.id, 0, 19));
	await waitFor(() => writer.stats().failures >= 1 && queue.fault !== undefined, 10_000);
	t.deepEqual(holds, [], 'below the bound checks go on');
	pushAll(writer, results(site!.id, 19, 20));
	t.deepEqual(holds, [true]);
	t.is(log[0], '20 results wait in memory only, the bound (--memory-max-results): checks hold until the journal or the database takes results again; slots that pass meanwhile are counted as held, not checked');
	t.like(writer.stats(), {full: true, memoryOnly: 20, journaled: 0});

	await database.pool.query(sql.unsafe`ALTER TABLE healthcheck_away RENAME TO healthcheck`);
	await waitFor(() => holds.length === 2, 10_000);
	t.deepEqual(holds, [true, false]);
	t.regex(log[1]!, /^checks resume: the journal or the database takes results again \(\d+ wait in memory only\)$/);
	await writer.close();
	t.like(writer.stats(), {written: 20, lost: 0, queued: 0});
});
