import {sql} from 'slonik';
import {z} from 'zod';
import {dropTables, latestSchemaVersion, migrate} from '../../source/storage/migrations.js';
import {upsertSites} from '../../source/storage/sites-repository.js';
import {forEachDatabase} from '../helpers/database.js';

const columnRow = z.object({table_name: z.string(), column_name: z.string(), data_type: z.string()});

forEachDatabase('migrate twice: the second run applies nothing; tables and columns exist', async (t, {database}) => {
	const first = await migrate(database.pool);
	t.deepEqual(first.applied, ['1 initial schema', '2 healthcheck sent_at']);
	const second = await migrate(database.pool);
	t.deepEqual(second.applied, []);

	const columns = await database.pool.any(sql.type(columnRow)`
		SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name IN ('website', 'healthcheck', 'webmon_schema_migrations')
		ORDER BY table_name, ordinal_position
	`);
	const byTable = (table: string) => columns
		.filter(column => column.table_name === table)
		.map(column => `${column.column_name} ${column.data_type}`);
	t.deepEqual(byTable('website'), [
		'website_id integer',
		'url_uq text',
		'interval integer',
		'regex text',
		'paused boolean',
		'created_at timestamp with time zone',
		'updated_at timestamp with time zone',
	]);
	t.deepEqual(byTable('healthcheck'), [
		'check_id bigint',
		'website_fk integer',
		'request_timestamp timestamp with time zone',
		'response_time double precision',
		'http_status_code integer',
		'regex_match_status smallint',
		'error_message text',
		'scheduled_at timestamp with time zone',
		'error_kind text',
		'final_url text',
		'sent_at timestamp with time zone',
	]);
	t.deepEqual(byTable('webmon_schema_migrations'), ['version integer', 'name text', 'applied_at timestamp with time zone']);

	const versions = await database.pool.manyFirst(sql.type(z.object({version: z.number()}))`
		SELECT version FROM webmon_schema_migrations ORDER BY version
	`);
	t.deepEqual(versions, [1, 2]);
	t.is(latestSchemaVersion, 2);

	const indexes = await database.pool.manyFirst(sql.type(z.object({indexname: z.string()}))`
		SELECT indexname FROM pg_indexes WHERE tablename = 'healthcheck' ORDER BY indexname
	`);
	t.true(indexes.includes('healthcheck_website_scheduled_uq'));
	t.true(indexes.includes('healthcheck_website_recent_idx'));
}, {migrated: false});

forEachDatabase('a version 1 database gains sent_at: its rows are kept, with sent_at NULL; the column says what it is', async (t, {database}) => {
	// Back to the schema as version 1 left it, with a row stored by that version.
	await database.pool.query(sql.unsafe`ALTER TABLE healthcheck DROP COLUMN sent_at`);
	await database.pool.query(sql.unsafe`DELETE FROM webmon_schema_migrations WHERE version = 2`);
	const [site] = await upsertSites(database.pool, [{url: 'https://old.example:443', intervalSeconds: 10}]);
	await database.pool.query(sql.unsafe`
		INSERT INTO healthcheck (website_fk, request_timestamp, response_time, http_status_code, regex_match_status, scheduled_at)
		VALUES (${site!.id}, now(), 0.5, 200, 2, now())
	`);

	t.deepEqual((await migrate(database.pool)).applied, ['2 healthcheck sent_at']);
	const rows = await database.pool.any(sql.type(z.object({http_status_code: z.number(), sent_at: z.number().nullable()}))`
		SELECT http_status_code, sent_at FROM healthcheck
	`);
	t.deepEqual(rows, [{http_status_code: 200, sent_at: null}]);
	const comment = await database.pool.oneFirst(sql.type(z.object({comment: z.string().nullable()}))`
		SELECT col_description('healthcheck'::regclass, attnum) AS comment
		FROM pg_attribute WHERE attrelid = 'healthcheck'::regclass AND attname = 'sent_at'
	`);
	t.regex(comment ?? '', /written to a connected socket.*sent_at - scheduled_at/);
});

forEachDatabase('two instances migrating at once apply each migration exactly once', async (t, {database}) => {
	const results = await Promise.all([migrate(database.pool), migrate(database.pool), migrate(database.pool)]);
	t.deepEqual(results.flatMap(result => result.applied), ['1 initial schema', '2 healthcheck sent_at']);
}, {migrated: false});

forEachDatabase('a schema newer than this build is refused', async (t, {database}) => {
	await database.pool.query(sql.unsafe`
		INSERT INTO webmon_schema_migrations (version, name) VALUES (${latestSchemaVersion + 1}, 'from the future')
	`);
	const error = await t.throwsAsync(migrate(database.pool));
	t.is((error as {code?: string}).code, 'SCHEMA_TOO_NEW');
});

forEachDatabase('the predecessor README queries run unchanged', async (t, {database}) => {
	const [site] = await upsertSites(database.pool, [{url: 'https://sciencedirect.com:443', intervalSeconds: 10}]);
	await database.pool.query(sql.unsafe`
		INSERT INTO healthcheck (website_fk, request_timestamp, response_time, http_status_code, regex_match_status, error_message, scheduled_at)
		VALUES
			(${site!.id}, now(), 0.5, 555, 2, 'boom', now()),
			(${site!.id}, now(), 1.5, 598, 2, 'timeout', now() + interval '10 seconds'),
			(${site!.id}, now(), 0.1, 200, 1, NULL, now() + interval '20 seconds')
	`);

	// Verbatim from the predecessor's README ("pgsql inspection").
	const queries = [
		sql.unsafe`SELECT * FROM healthcheck ORDER BY check_id DESC LIMIT 20`,
		sql.unsafe`SELECT * FROM website ORDER BY website_id DESC LIMIT 10`,
		sql.unsafe`SELECT COUNT(*) FROM website`,
		sql.unsafe`SELECT COUNT(*) FROM healthcheck`,
		sql.unsafe`SELECT COUNT(*) FROM healthcheck WHERE http_status_code = 598`,
		sql.unsafe`SELECT COUNT(*) FROM healthcheck WHERE http_status_code = 555`,
		sql.unsafe`SELECT h.* FROM healthcheck h JOIN website w ON h.website_fk = w.website_id WHERE h.http_status_code = 555 AND w.url_uq = 'https://sciencedirect.com:443'`,
		sql.unsafe`SELECT h.* FROM healthcheck h JOIN website w ON h.website_fk = w.website_id WHERE w.url_uq = 'https://sciencedirect.com:443'`,
		sql.unsafe`SELECT w.url_uq, h.http_status_code, h.error_message FROM website w JOIN healthcheck h ON h.website_fk = w.website_id WHERE h.http_status_code != 200`,
		sql.unsafe`SELECT DISTINCT w.url_uq, h.http_status_code, h.error_message FROM website w JOIN healthcheck h ON h.website_fk = w.website_id WHERE h.http_status_code != 200`,
		sql.unsafe`SELECT w.url_uq, h.http_status_code AS http_code, h.error_message, COUNT(*) AS x_count
FROM website w
JOIN healthcheck h ON h.website_fk = w.website_id
WHERE h.http_status_code != 200
GROUP BY w.url_uq, h.http_status_code, h.error_message
ORDER BY x_count DESC`,
	];
	const rowCounts = [];
	for (const query of queries) {
		rowCounts.push((await database.pool.query(query)).rows.length);
	}

	t.deepEqual(rowCounts, [3, 1, 1, 1, 1, 1, 1, 3, 2, 2, 2]);
	t.is(await database.pool.oneFirst(sql.unsafe`SELECT COUNT(*) FROM healthcheck WHERE http_status_code = 598`), 1);
	const grouped = await database.pool.any(sql.unsafe`
		SELECT w.url_uq, h.http_status_code AS http_code, h.error_message, COUNT(*) AS x_count
		FROM website w JOIN healthcheck h ON h.website_fk = w.website_id
		WHERE h.http_status_code != 200
		GROUP BY w.url_uq, h.http_status_code, h.error_message ORDER BY x_count DESC, http_code
	`);
	t.deepEqual(grouped, [
		{url_uq: 'https://sciencedirect.com:443', http_code: 555, error_message: 'boom', x_count: 1},
		{url_uq: 'https://sciencedirect.com:443', http_code: 598, error_message: 'timeout', x_count: 1},
	]);
});

forEachDatabase('dropTables returns what it dropped; migrate rebuilds', async (t, {database}) => {
	t.deepEqual(await dropTables(database.pool), ['healthcheck', 'website', 'webmon_schema_migrations']);
	t.deepEqual(await dropTables(database.pool), []);
	t.deepEqual((await migrate(database.pool)).applied, ['1 initial schema', '2 healthcheck sent_at']);
	await database.pool.query(sql.unsafe`DROP TABLE healthcheck`);
	t.deepEqual(await dropTables(database.pool), ['website', 'webmon_schema_migrations']);
});
