import test from 'ava';
import {sql} from 'slonik';
import {DatabaseUnavailableError} from '../../source/errors.js';
import {openDatabase} from '../../source/storage/open-database.js';
import {isPgliteStorageFault} from '../../source/storage/pglite-session.js';
import {createTestDatabase} from '../helpers/database.js';
import {waitForValue} from '../helpers/wait-for.js';

/**
A storage fault inside PGlite (a full disk: SQLSTATE 53100) leaves it unable to run another
statement; the next one would spin this thread for ever. Here the fault is raised on purpose, with
the same SQLSTATE, so the test needs no full disk (the CLI tests fill a real one).
*/
const diskFull = sql.unsafe`DO $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$`;

test('after a storage fault no statement reaches that PGlite again; it is reopened, after a recovery in a child process', async t => {
	const fresh = await createTestDatabase('pglite');
	t.teardown(async () => fresh.dispose());
	const database = await openDatabase(fresh.target);
	t.teardown(async () => database.close());
	await database.pool.query(sql.unsafe`CREATE TABLE kept (n int)`);
	await database.pool.query(sql.unsafe`INSERT INTO kept VALUES (1)`);

	const error = await t.throwsAsync(database.pool.query(diskFull));
	t.regex(error?.message, new RegExp(`^PGlite in ${fresh.target.describe} cannot write: could not extend file: No space left on device$`), 'names the data directory');
	t.true(isPgliteStorageFault(error?.cause), String(error));
	// Fails fast while the instance is closed: a statement now never reaches the broken one.
	const refused = await t.throwsAsync(database.pool.query(sql.unsafe`SELECT 1`));
	t.regex(refused?.message, /PGlite in .* stopped after a storage fault \(could not extend file: No space left on device\); it is reopened in \d+ s/);

	// Reopened after the retry delay (about a second), with every committed row.
	const count = await waitForValue(async () => database.pool.oneFirst(sql.unsafe`SELECT count(*) FROM kept`).catch(() => undefined), value => value !== undefined, 60_000, {everyMs: 250, what: 'PGlite reopened'});
	t.is(count, 1);
	await database.pool.query(sql.unsafe`INSERT INTO kept VALUES (2)`);
	t.is(await database.pool.oneFirst(sql.unsafe`SELECT count(*) FROM kept`), 2);
});

test('only resource, system and internal errors count as storage faults', t => {
	for (const code of ['53100', '53200', '58030', 'XX000', 'XX001']) {
		t.true(isPgliteStorageFault(Object.assign(new Error('x'), {code})), code);
	}

	for (const code of ['23505', '22P02', '42601', '40001', undefined]) {
		t.false(isPgliteStorageFault(Object.assign(new Error('x'), {code})), String(code));
	}

	t.false(isPgliteStorageFault(new DatabaseUnavailableError('x')));
	t.false(isPgliteStorageFault(undefined));
});
