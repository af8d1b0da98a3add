import {setTimeout as delay} from 'node:timers/promises';
import {PGlite} from '@electric-sql/pglite';
import test from 'ava';
import {
	createPool,
	ForeignKeyIntegrityConstraintViolationError,
	InputSyntaxError,
	InvalidInputError,
	NotNullIntegrityConstraintViolationError,
	sql,
	UniqueIntegrityConstraintViolationError,
	type DatabasePool,
} from 'slonik';
import {createPgliteDriverFactory} from '../../source/storage/pglite-driver.js';
import {createTypeParsers} from '../../source/storage/type-parsers.js';
import {createTestDatabase, forEachDatabase} from '../helpers/database.js';

// One query over every type we read, with the JS value each must become on BOTH backends.
const typesQuery = sql.unsafe`
	SELECT
		1::int8 AS int8, 2::int4 AS int4, 3::int2 AS int2, 1.5::float8 AS float8, 2.25::numeric AS numeric,
		true AS bool, 'x'::text AS text,
		'2026-01-01T00:00:00Z'::timestamptz AS timestamptz, '2026-01-01 00:00:00'::timestamp AS timestamp,
		'2026-01-02'::date AS date, '1 hour'::interval AS interval,
		'{"a":1}'::json AS json, '{"b":[2]}'::jsonb AS jsonb,
		ARRAY[1, 2]::int4[] AS int4_array, ARRAY[3, 4]::int8[] AS int8_array,
		ARRAY['2026-01-01T00:00:00Z'::timestamptz] AS timestamptz_array,
		ARRAY['a"b', NULL, 'c,d'] AS text_array,
		'\\x0102'::bytea AS bytea, NULL::text AS nothing,
		(SELECT count(*) FROM generate_series(1, 3)) AS count
`;

const expectedTypes = {
	int8: 1,
	int4: 2,
	int2: 3,
	float8: 1.5,
	numeric: 2.25,
	bool: true,
	text: 'x',
	timestamptz: Date.UTC(2026, 0, 1),
	timestamp: Date.UTC(2026, 0, 1),
	date: '2026-01-02',
	interval: 3600,
	json: {a: 1},
	jsonb: {b: [2]},
	int4_array: [1, 2],
	int8_array: [3, 4],
	timestamptz_array: [Date.UTC(2026, 0, 1)],
	text_array: ['a"b', null, 'c,d'],
	bytea: Buffer.from([1, 2]),
	nothing: null,
	count: 3,
};

forEachDatabase('both drivers return the same JS types', async (t, {database}) => {
	t.deepEqual(await database.pool.one(typesQuery), expectedTypes);
}, {migrated: false});

forEachDatabase('parameters of every kind Slonik binds round-trip', async (t, {database}) => {
	const row = await database.pool.one(sql.unsafe`
		SELECT
			${41}::int8 + 1 AS int8, ${'text'} AS text, ${true}::bool AS bool, ${null}::text AS nothing,
			${sql.array([1, 2, 3], 'int4')} AS int4_array, ${sql.array(['a"b', String.raw`c\d`], 'text')} AS text_array,
			${sql.json({a: [1, 'x']})} AS json, ${sql.timestamp(new Date(Date.UTC(2026, 0, 1)))} AS timestamptz,
			${sql.binary(Buffer.from([9, 8]))}::bytea AS bytea
	`);
	t.deepEqual(row, {
		int8: 42,
		text: 'text',
		bool: true,
		nothing: null,
		int4_array: [1, 2, 3],
		text_array: ['a"b', String.raw`c\d`],
		json: {a: [1, 'x']},
		timestamptz: Date.UTC(2026, 0, 1),
		bytea: Buffer.from([9, 8]),
	});
}, {migrated: false});

forEachDatabase('SQLSTATE codes become the same Slonik errors', async (t, {database}) => {
	const {pool} = database;
	await pool.query(sql.unsafe`CREATE TABLE parent (id int PRIMARY KEY)`);
	await pool.query(sql.unsafe`CREATE TABLE child (parent_id int NOT NULL REFERENCES parent (id))`);
	await pool.query(sql.unsafe`INSERT INTO parent VALUES (1)`);
	await t.throwsAsync(pool.query(sql.unsafe`INSERT INTO parent VALUES (1)`), {instanceOf: UniqueIntegrityConstraintViolationError});
	await t.throwsAsync(pool.query(sql.unsafe`INSERT INTO child VALUES (2)`), {instanceOf: ForeignKeyIntegrityConstraintViolationError});
	await t.throwsAsync(pool.query(sql.unsafe`INSERT INTO child VALUES (NULL)`), {instanceOf: NotNullIntegrityConstraintViolationError});
	await t.throwsAsync(pool.query(sql.unsafe`SELEKT 1`), {instanceOf: InputSyntaxError});
	await t.throwsAsync(pool.query(sql.unsafe`SELECT 'abc'::int`), {instanceOf: InvalidInputError});
	const missing = await t.throwsAsync(pool.query(sql.unsafe`SELECT * FROM nowhere`));
	t.is((missing as {code?: string}).code, '42P01', 'unmapped errors keep their SQLSTATE');
	// The session is usable after errors.
	t.is(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM parent`), 1);
}, {migrated: false});

forEachDatabase('a failed transaction rolls back and the pool goes on', async (t, {database}) => {
	const {pool} = database;
	await pool.query(sql.unsafe`CREATE TABLE item (name text)`);
	await t.throwsAsync(pool.transaction(async transaction => {
		await transaction.query(sql.unsafe`INSERT INTO item VALUES ('lost')`);
		throw new Error('abort');
	}), {message: 'abort'});
	await pool.transaction(async transaction => {
		await transaction.query(sql.unsafe`INSERT INTO item VALUES ('kept')`);
	});
	t.deepEqual(await pool.anyFirst(sql.unsafe`SELECT name FROM item`), ['kept']);
}, {migrated: false});

/** A pool over PGlite with several Slonik connections, to prove they take turns on the one session. */
async function widePglitePool(run: (pool: DatabasePool) => Promise<void>): Promise<void> {
	const fresh = await createTestDatabase('pglite');
	const pglite = new PGlite((fresh.target as {dataDir: string}).dataDir);
	const pool = await createPool('postgres://pglite/postgres', {
		driverFactory: createPgliteDriverFactory(pglite),
		maxPoolSize: 4,
		typeParsers: createTypeParsers(),
	});
	try {
		await run(pool);
	} finally {
		await pool.end();
		await pglite.close();
		await fresh.dispose();
	}
}

test.serial('[pglite] concurrent connections never run inside another connection\'s transaction', async t => {
	await widePglitePool(async pool => {
		await pool.query(sql.unsafe`CREATE TABLE item (name text)`);
		let opened: () => void = () => undefined;
		const open = new Promise<void>(resolve => {
			opened = resolve;
		});
		const rolledBack = pool.transaction(async transaction => {
			await transaction.query(sql.unsafe`INSERT INTO item VALUES ('rolled back')`);
			opened();
			// While this transaction is open, another connection writes. Sharing the session without
			// the lock, its INSERT would land inside this transaction and vanish with the rollback.
			// Its chance to do so is counted in round trips to PGlite, not in milliseconds.
			for (let trip = 0; trip < 50; trip++) {
				await transaction.query(sql.unsafe`SELECT 1`);
			}

			throw new Error('roll back');
		});
		await open;
		const outside = pool.query(sql.unsafe`INSERT INTO item VALUES ('committed')`);
		await t.throwsAsync(rolledBack, {message: 'roll back'});
		await outside;
		t.deepEqual(await pool.anyFirst(sql.unsafe`SELECT name FROM item`), ['committed']);
	});
});

test.serial('[pglite] 20 concurrent transactions commit or roll back only their own writes', async t => {
	await widePglitePool(async pool => {
		await pool.query(sql.unsafe`CREATE TABLE item (owner int, n int)`);
		const outcomes = await Promise.allSettled(Array.from({length: 20}, async (_, owner) => pool.transaction(async transaction => {
			for (let n = 0; n < 3; n++) {
				await transaction.query(sql.unsafe`INSERT INTO item VALUES (${owner}, ${n})`);
				await delay(1);
			}

			const own = await transaction.oneFirst(sql.unsafe`SELECT count(*) FROM item WHERE owner = ${owner}`);
			if (owner % 2 === 1) {
				throw new Error('odd owners roll back');
			}

			return own;
		})));
		t.deepEqual(outcomes.map(outcome => outcome.status), Array.from({length: 20}, (_, owner) => owner % 2 === 1 ? 'rejected' : 'fulfilled'));
		t.deepEqual(
			await pool.anyFirst(sql.unsafe`SELECT DISTINCT owner FROM item ORDER BY owner`),
			[0, 2, 4, 6, 8, 10, 12, 14, 16, 18],
		);
		t.is(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM item`), 30);
	});
});

test.serial('[pglite] a connection released inside a transaction does not leave the session in it', async t => {
	await widePglitePool(async pool => {
		await pool.query(sql.unsafe`CREATE TABLE item (name text)`);
		await pool.connect(async connection => {
			await connection.query(sql.unsafe`START TRANSACTION`);
			await connection.query(sql.unsafe`INSERT INTO item VALUES ('abandoned')`);
			// Released without COMMIT: DISCARD ALL fails, the connection is destroyed and rolls back.
		}).catch(() => undefined);
		await pool.query(sql.unsafe`INSERT INTO item VALUES ('next')`);
		t.deepEqual(await pool.anyFirst(sql.unsafe`SELECT name FROM item`), ['next']);
	});
});

forEachDatabase('stream delivers every row', async (t, {database}) => {
	const rows: unknown[] = [];
	await database.pool.stream(sql.unsafe`SELECT n FROM generate_series(1, 5) AS n`, stream => {
		stream.on('data', chunk => {
			rows.push(chunk.data);
		});
	});
	t.deepEqual(rows, [1, 2, 3, 4, 5].map(n => ({n})));
}, {migrated: false});
