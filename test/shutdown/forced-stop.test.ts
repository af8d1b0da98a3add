import {readdir, readFile, mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'ava';
import {CheckEngine} from '../../source/engine/check-engine.js';
import type {Probe, ProbeOutcome} from '../../source/engine/types.js';
import {DatabaseUnavailableError} from '../../source/errors.js';
import {forcedStop} from '../../source/shutdown/forced-stop.js';
import {createBatchedResultWriter, openDurableRowQueue, openJournalDirectory} from '../../source/storage/index.js';
import {stopMarginMs} from '../../source/workers/sharded-monitor.js';
import {FakeClock} from '../helpers/fake-clock.js';

const aborted: ProbeOutcome = {httpStatusCode: 555, responseTimeMs: 0, regexMatchStatus: 2, errorKind: 'other', errorMessage: 'aborted'};

/**
A check that takes 1.5 s to notice its abort, longer than the one second a forced stop used to wait;
it never ends otherwise. (A real one: a shard under load, or a regex match finishing on its thread.)
*/
const slowToAbort: Probe = async request => new Promise(resolve => {
	request.signal?.addEventListener('abort', () => {
		setTimeout(resolve, 1500, aborted);
	}, {once: true});
});

test('a forced stop waits for a check slow to notice its abort: its result is journaled and counted, none is lost', async t => {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-forced-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	const journal = await openJournalDirectory(directory, 'test database');
	const unavailable = new DatabaseUnavailableError('the database is away');
	// The database stays away, so every result waits in the writer for the journal.
	const writer = createBatchedResultWriter({
		queue: await openDurableRowQueue({directory: journal}),
		initialError: unavailable,
		async connect() {
			throw unavailable;
		},
	});
	const engine = Object.assign(new CheckEngine({probe: slowToAbort, timeoutMs: 60_000}), {
		async close() {},
	});
	engine.on('result', result => {
		writer.push(result);
	});
	engine.addSites([{id: 1, url: 'http://127.0.0.1:9/slow-to-abort', intervalSeconds: 3600}]);
	engine.start();
	t.true(engine.checkNow(1));
	const lines: string[] = [];
	const code = await forcedStop({
		engine,
		writer,
		force: {signal: 'SIGINT', label: 'SIGINT again'},
		timeoutMs: 60_000,
		log(line) {
			lines.push(line);
		},
	});
	t.is(code, 130);
	t.deepEqual(lines, [`SIGINT again: aborted 1 checks in flight; 1 results journaled in ${directory}; they are stored at the next start`]);
	const segments = (await readdir(directory)).filter(name => name.endsWith('.ndjson'));
	const journaled = await Promise.all(segments.map(async name => readFile(path.join(directory, name), 'utf8')));
	t.is(journaled.join('').trim().split('\n').length, 1, 'the aborted check is in the journal');
	t.regex(journaled.join(''), /slow-to-abort/);
});

test('a forced stop bounds its wait on the injected clock: a check that never reports is counted as lost once that time passed', async t => {
	const clock = new FakeClock();
	const writer = createBatchedResultWriter({
		clock,
		initialError: new DatabaseUnavailableError('the database is away'),
		async connect() {
			throw new DatabaseUnavailableError('the database is away');
		},
	});
	// A bug's check: it ignores the abort and never ends.
	const engine = Object.assign(new CheckEngine({probe: async () => new Promise<ProbeOutcome>(() => undefined), clock, timeoutMs: 60_000}), {
		async close() {},
	});
	engine.addSites([{id: 1, url: 'http://127.0.0.1:9/never-ends', intervalSeconds: 3600}]);
	engine.start();
	t.true(engine.checkNow(1));
	const lines: string[] = [];
	const stopping = forcedStop({
		engine, writer, force: {signal: 'SIGTERM', label: 'SIGTERM again'}, timeoutMs: 60_000, log: line => lines.push(line), clock,
	});
	await clock.advance(60_000 + stopMarginMs - 1);
	t.deepEqual(lines, [], 'still waiting, one fake millisecond before the bound');
	await clock.advance(1);
	t.is(await stopping, 143);
	t.deepEqual(lines, ['SIGTERM again: aborted 1 checks in flight; 0 results journaled in (no journal); 1 checks did not report within 62 s and are lost']);
});
