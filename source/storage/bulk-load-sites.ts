import {sql, type CommonQueryMethods, type DatabasePool} from 'slonik';
import {z} from 'zod';
import {insertInChunks} from './site-input-rows.js';
import type {SiteInput} from './sites-repository.js';

/*
The first start of a large sites file meets an empty `website` table (a new database, or one whose
sites were all deleted). Loading it row by row into a table with its indexes, as an upsert must,
took 17 s for a million sites on PGlite: every row a probe and an insert into the url_uq btree and
the primary key, then a join to read the ids back. Into an empty table nothing can conflict, so the
sites go in as a bulk load does (pg_restore's order): the indexes and the foreign keys that point at
the table are dropped, the rows inserted with ids 1..n in input order (nothing to read back), and
the indexes rebuilt by one sort each. Measured for a million sites on PGlite: 7.4 s against 17 s.
*/

/**
Whether the sites can be loaded in bulk: `website` has no row, and this role owns it and every
table whose foreign keys point at it (dropping an index or a constraint takes ownership; a role
granted only reads and writes of rows upserts, as before). Asked outside the loading transaction:
two instances that read the table in their transactions and then both asked for the exclusive lock
would deadlock.
*/
export async function canLoadInBulk(pool: DatabasePool): Promise<boolean> {
	return pool.oneFirst(sql.type(z.object({bulk: z.boolean()}))`
		SELECT NOT EXISTS (SELECT FROM website) AND bool_and(pg_has_role(c.relowner, 'USAGE')) AS bulk
		FROM pg_class c
		WHERE c.oid = 'website'::regclass
			OR c.oid IN (SELECT f.conrelid FROM pg_constraint f WHERE f.confrelid = 'website'::regclass AND f.contype = 'f')
	`);
}

/**
Statements that drop, then recreate, every index of `website` and every foreign key pointing at it,
as the catalogs describe them (so a later migration's index or table is covered without change
here). Each object gives its drop and its create: steps 1-3 drop (references first), 4-6 recreate
in the reverse order (references last).
*/
const saveIndexDefinitions = sql.unsafe`
	INSERT INTO website_rebuild (step, statement)
	SELECT step, statement
	FROM (
		SELECT
			CASE c.contype WHEN 'f' THEN 1 ELSE 2 END AS kind,
			format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop_statement,
			format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS create_statement
		FROM pg_constraint c
		WHERE (c.confrelid = 'website'::regclass AND c.contype = 'f')
			OR (c.conrelid = 'website'::regclass AND c.contype IN ('p', 'u', 'x'))
		UNION ALL
		SELECT 3, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid = 'website'::regclass
			AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = 'website'::regclass AND c.conindid = i.indexrelid)
	) AS objects
	CROSS JOIN LATERAL (VALUES (kind, drop_statement), (7 - kind, create_statement)) AS steps (step, statement)
`;

/** Runs the saved statements of steps 1-3 (`drop`) or 4-6 (`create`) in step order, in the server. */
async function runSteps(connection: CommonQueryMethods, steps: 'drop' | 'create'): Promise<void> {
	// A DO block takes no parameters: the step range is part of its text.
	const range = steps === 'drop' ? sql.fragment`r.step <= 3` : sql.fragment`r.step >= 4`;
	await connection.query(sql.unsafe`
		DO $$
		DECLARE statement text;
		BEGIN
			FOR statement IN SELECT r.statement FROM website_rebuild r WHERE ${range} ORDER BY r.step LOOP
				EXECUTE statement;
			END LOOP;
		END
		$$
	`);
}

/**
In a transaction: takes `website` exclusively and, when it is still empty, loads `sites` into it
with ids 1..n in input order (see above) and moves the id sequence past them. Resolves false,
having written nothing, when another writer stored sites first (the caller upserts instead).
The caller passes distinct URLs; a repeat fails the rebuilt unique index and rolls everything back.
*/
export async function loadIntoEmptyWebsite(transaction: CommonQueryMethods, sites: readonly SiteInput[]): Promise<boolean> {
	await transaction.query(sql.unsafe`LOCK TABLE website IN ACCESS EXCLUSIVE MODE`);
	if (await transaction.exists(sql.unsafe`SELECT FROM website`)) {
		return false;
	}

	await transaction.query(sql.unsafe`CREATE TEMPORARY TABLE website_rebuild (step int4, statement text) ON COMMIT DROP`);
	await transaction.query(saveIndexDefinitions);
	await runSteps(transaction, 'drop');
	await insertInChunks(sites, async rows => transaction.query(sql.unsafe`
		INSERT INTO website (website_id, url_uq, "interval", regex)
		SELECT ord + 1, url_uq, "interval", regex FROM (${rows}) AS chunk
	`));
	await runSteps(transaction, 'create');
	await transaction.query(sql.unsafe`SELECT setval(pg_get_serial_sequence('website', 'website_id'), ${sites.length})`);
	return true;
}
