import process from 'node:process';
import test from 'ava';
import {sql} from 'slonik';
import {z} from 'zod';
import {openDatabase} from '../../source/storage/open-database.js';
import {loadSites, upsertSites} from '../../source/storage/sites-repository.js';
import {migrate} from '../../source/storage/migrations.js';
import {createTestDatabase, forEachDatabase} from '../helpers/database.js';
import {notRun} from '../helpers/not-run.js';

/*
An empty `website` is loaded in bulk (storage/bulk-load-sites.ts): indexes and the foreign keys that
point at it dropped, rows inserted with ids 1..n in input order, everything rebuilt. What must hold:
the schema after it is the schema before, ids follow the input, the id sequence continues past them,
and a failure leaves the table as it was.
*/

const catalogRow = z.object({definition: z.string()});

/** Every index and constraint on `website` or pointing at it, as the catalogs define them. */
const schemaOfWebsite = sql.type(catalogRow)`
	SELECT format('%s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS definition
	FROM pg_constraint WHERE conrelid = 'website'::regclass OR confrelid = 'website'::regclass
	UNION ALL
	SELECT indexdef FROM pg_indexes WHERE tablename = 'website'
	ORDER BY 1
`;

const nextId = sql.type(z.object({id: z.number()}))`SELECT nextval(pg_get_serial_sequence('website', 'website_id'))::int4 AS id`;

// Input order is not URL order: an upsert inserts in URL order, so only a bulk load gives [1, 2, 3].
const unsorted = [
	{url: 'https://c.example:443', intervalSeconds: 30, regex: 'up'},
	{url: 'https://a.example:443', intervalSeconds: 10},
	{url: 'https://b.example:443', intervalSeconds: 20},
];

forEachDatabase('an empty website is loaded with ids 1..n in input order, and every index and reference is rebuilt as it was', async (t, {database}) => {
	const {pool} = database;
	// Stand-ins for a later migration's index and referencing table: taken from the catalogs, not a list.
	await pool.query(sql.unsafe`CREATE INDEX website_interval_idx ON website ("interval") WHERE NOT paused`);
	await pool.query(sql.unsafe`CREATE TABLE site_note (site integer NOT NULL REFERENCES website (website_id) ON DELETE CASCADE, note text)`);
	const before = await pool.any(schemaOfWebsite);

	const stored = await upsertSites(pool, unsorted, {distinctUrls: true});
	t.deepEqual(stored.map(site => [site.id, site.url, site.intervalSeconds, site.regex, site.paused]), [
		[1, 'https://c.example:443', 30, 'up', false],
		[2, 'https://a.example:443', 10, undefined, false],
		[3, 'https://b.example:443', 20, undefined, false],
	]);
	t.deepEqual(await pool.any(schemaOfWebsite), before, 'the same indexes and constraints, by name and definition');
	t.deepEqual((await loadSites(pool)).map(site => site.id), [1, 2, 3]);
	t.is((await pool.one(nextId)).id, 4, 'the id sequence continues after the loaded rows');

	// The rebuilt indexes and references work: a repeat is refused, a dangling reference too.
	await t.throwsAsync(pool.query(sql.unsafe`INSERT INTO website (url_uq, "interval") VALUES ('https://a.example:443', 5)`));
	await t.throwsAsync(pool.query(sql.unsafe`INSERT INTO site_note (site) VALUES (99)`));
	await pool.query(sql.unsafe`INSERT INTO site_note (site, note) VALUES (2, 'kept')`);
	await t.throwsAsync(pool.query(sql.unsafe`INSERT INTO healthcheck (website_fk, request_timestamp, response_time, http_status_code, regex_match_status, scheduled_at) VALUES (99, now(), 0, 200, 0, now())`));

	// Not empty now: the next start upserts, keeping ids and adding after them.
	const again = await upsertSites(pool, [{url: 'https://d.example:443', intervalSeconds: 5}, ...unsorted], {distinctUrls: true});
	t.deepEqual(again.slice(1).map(site => [site.id, site.url]), [
		[1, 'https://c.example:443'],
		[2, 'https://a.example:443'],
		[3, 'https://b.example:443'],
	]);
	// 4 went to nextId above, 5 to the refused repeat: a sequence does not give numbers back.
	t.is(again[0]!.id, 6);
});

forEachDatabase('a website emptied by DELETE is loaded in bulk again, from id 1', async (t, {database}) => {
	const {pool} = database;
	await upsertSites(pool, [{url: 'https://a.example:443', intervalSeconds: 10}, {url: 'https://b.example:443', intervalSeconds: 10}]);
	await upsertSites(pool, [{url: 'https://z.example:443', intervalSeconds: 10}]);
	await pool.query(sql.unsafe`DELETE FROM website`);

	const stored = await upsertSites(pool, unsorted, {distinctUrls: true});
	t.deepEqual(stored.map(site => site.id), [1, 2, 3]);
	t.is((await pool.one(nextId)).id, 4);
});

forEachDatabase('a URL listed twice fails the bulk load and leaves website empty, with its indexes', async (t, {database}) => {
	const {pool} = database;
	const before = await pool.any(schemaOfWebsite);
	// `distinctUrls` promises what the input breaks: the rebuilt unique index is what finds out.
	await t.throwsAsync(upsertSites(pool, [...unsorted, unsorted[1]!], {distinctUrls: true}), {message: /unique/});
	t.deepEqual(await loadSites(pool), []);
	t.deepEqual(await pool.any(schemaOfWebsite), before);
	t.deepEqual((await upsertSites(pool, unsorted)).map(site => site.id), [1, 2, 3], 'the next load goes through');
});

forEachDatabase('two loads of one empty website at once: one loads in bulk, the other upserts after it, and both see the same ids', async (t, {database}) => {
	const {pool} = database;
	const more = Array.from({length: 20_000}, (_, index) => ({url: `https://site-${index}.example:443`, intervalSeconds: 60}));
	const [first, second] = await Promise.all([
		upsertSites(pool, more, {distinctUrls: true}),
		upsertSites(pool, [...more].reverse(), {distinctUrls: true}),
	]);
	const idOf = new Map(first.map(site => [site.url, site.id]));
	t.is(idOf.size, 20_000);
	t.true(second.every(site => idOf.get(site.url) === site.id));
	// Exactly one of them saw the table empty: its sites have ids 1..n in its own order.
	const bulk = first[0]!.id === 1 ? first : second;
	t.true(bulk.every((site, index) => site.id === index + 1));
	t.is((await loadSites(pool)).length, 20_000);
});

test.serial('[postgres] a role that may write rows but does not own the tables upserts into the empty table instead', async t => {
	if (!process.env.DATABASE_URL) {
		notRun(t, 'DATABASE_URL is not set: PGlite has one user, which owns every table');
		return;
	}

	const fresh = await createTestDatabase('postgres');
	const owner = await openDatabase(fresh.target);
	t.teardown(async () => {
		await owner.close();
		await fresh.dispose();
	});
	await migrate(owner.pool);
	const role = 'webmon_rows_only';
	await owner.pool.query(sql.unsafe`DO $$ BEGIN CREATE ROLE webmon_rows_only LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
	await owner.pool.query(sql.unsafe`GRANT SELECT, INSERT, UPDATE ON website TO webmon_rows_only`);
	await owner.pool.query(sql.unsafe`GRANT USAGE ON SEQUENCE website_website_id_seq TO webmon_rows_only`);
	const target = fresh.target as Extract<typeof fresh.target, {kind: 'postgres'}>;
	const url = new URL(target.uri);
	url.username = role;
	const limited = await openDatabase({...target, uri: url.toString(), password: undefined, describe: `${role}@test`});
	t.teardown(async () => limited.close());

	const stored = await upsertSites(limited.pool, unsorted, {distinctUrls: true});
	t.deepEqual(stored.map(site => site.url), unsorted.map(site => site.url));
	// Upserted: inserted in URL order, so not 1, 2, 3 in input order.
	t.deepEqual(stored.map(site => site.id), [3, 1, 2]);
});
