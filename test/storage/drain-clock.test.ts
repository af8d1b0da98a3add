import test from 'ava';
import {targetFromDatabaseUrl} from '../../source/config/index.js';
import {DatabaseUnavailableError} from '../../source/errors.js';
import {createBatchedResultWriter} from '../../source/storage/batched-result-writer.js';
import {drainWriter, exitResultsJournaled} from '../../source/storage/drain-writer.js';
import {openDatabase} from '../../source/storage/open-database.js';
import {FakeClock} from '../helpers/fake-clock.js';
import {freePort} from '../helpers/free-port.js';
import {checkResult} from './check-result-fixture.js';
import {open, scratch} from './queue-fixture.js';

/**
The drain at the end of a run keeps its time on the writer's clock: its progress lines and its
stall come from that clock, so a fake one drives thirty seconds of an unreachable database without
a test waiting for them. The database is a real refused connection on loopback.
*/
test('the drain keeps time on the injected clock: a progress line every 2 s and a stall at 30 s, all fake time', async t => {
	const clock = new FakeClock();
	const directory = await scratch(t);
	const {queue} = await open(directory);
	const target = targetFromDatabaseUrl(`postgres://postgres@127.0.0.1:${await freePort()}/test?sslmode=disable`);
	const unreachable = new DatabaseUnavailableError('cannot reach PostgreSQL at 127.0.0.1');
	// As a run that started without its database: every attempt goes to the closed port.
	const writer = createBatchedResultWriter({
		queue,
		clock,
		initialError: unreachable,
		async connect() {
			return (await openDatabase(target, {connectionTimeoutMs: 1000})).pool;
		},
	});
	for (let index = 0; index < 5; index++) {
		writer.push(checkResult({siteId: 1, scheduledAt: clock.now() + (index * 1000)}));
	}

	const log: string[] = [];
	const draining = drainWriter(writer, {log: line => log.push(line), clock});
	await clock.advance(29_750);
	// Real time has hardly moved: these lines exist only because the drain reads the fake clock.
	t.is(log.length, 14, log.join('\n'));
	t.true(log.every(line => line.startsWith('storing 5 waiting results (database retrying')), log.join('\n'));

	await clock.advance(250);
	t.is(await draining, exitResultsJournaled);
	t.is(log.length, 15);
	t.regex(log.at(-1)!, new RegExp(String.raw`^the database could not store results for 30 s \(.+\): 5 results stay in the journal ${directory}; they are stored at the next start$`));
	t.is(clock.pendingTimers, 0, 'the drain and the writer left no timer behind');
});
