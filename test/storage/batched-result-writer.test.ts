import {PGlite} from '@electric-sql/pglite';
import test from 'ava';
import {createPool, sql} from 'slonik';
import {z} from 'zod';
import type {CheckResult} from '../../source/engine/types.js';
import {createBatchedResultWriter} from '../../source/storage/batched-result-writer.js';
import {migrate} from '../../source/storage/migrations.js';
import {openDatabase} from '../../source/storage/open-database.js';
import {createPgliteDriverFactory} from '../../source/storage/pglite-driver.js';
import {countChecks, upsertSites} from '../../source/storage/sites-repository.js';
import {createTypeParsers} from '../../source/storage/type-parsers.js';
import type {DatabaseTarget} from '../../source/storage/types.js';
import {createTestDatabase, forEachDatabase} from '../helpers/database.js';
import {waitFor} from '../helpers/wait-for.js';
import {checkResult} from './check-result-fixture.js';
import {startTcpProxy} from './tcp-proxy.js';

const start = Date.UTC(2026, 0, 1);

/** `count` results spread over `siteIds`, each site on its own 10 s grid. */
function resultsFor(siteIds: readonly number[], count: number): CheckResult[] {
	return Array.from({length: count}, (_, index) => checkResult({
		siteId: siteIds[index % siteIds.length]!,
		scheduledAt: start + (Math.floor(index / siteIds.length) * 10_000),
		responseTimeMs: index % 1000,
	}));
}

async function sites(pool: Parameters<typeof upsertSites>[0], count: number): Promise<number[]> {
	const stored = await upsertSites(pool, Array.from({length: count}, (_, index) => ({
		url: `https://site-${index}.example:443`,
		intervalSeconds: 10,
	})));
	return stored.map(site => site.id);
}

forEachDatabase('2,500 results become 2,500 rows in 3 batches; a replay adds no duplicates', async (t, {database}) => {
	const ids = await sites(database.pool, 50);
	const results = resultsFor(ids, 2500);
	const writer = createBatchedResultWriter({pool: database.pool, maxBatchRows: 1000});
	for (const result of results) {
		writer.push(result);
	}

	await writer.flush();
	t.is(await countChecks(database.pool), 2500);
	t.like(writer.stats(), {queued: 0, written: 2500, batches: 3, failures: 0, dropped: 0, state: 'connected'});

	for (const result of results) {
		writer.push(result);
	}

	// The same check twice inside one batch (the last, partial one) is also harmless.
	writer.push(results[0]!);
	writer.push(results[0]!);
	await writer.close();
	t.is(await countChecks(database.pool), 2500);
	t.like(writer.stats(), {queued: 0, written: 5002, batches: 6, failures: 0});
});

forEachDatabase('a partial batch is written once it is maxBatchAgeMs old, without flush', async (t, {database}) => {
	const ids = await sites(database.pool, 3);
	const writer = createBatchedResultWriter({pool: database.pool, maxBatchAgeMs: 30});
	for (const result of resultsFor(ids, 3)) {
		writer.push(result);
	}

	t.is(writer.stats().queued, 3);
	await waitFor(() => writer.stats().written === 3, 30_000);
	t.is(await countChecks(database.pool), 3);
	t.is(writer.stats().batches, 1);
	await writer.close();
});

forEachDatabase('NUL bytes, a 10 KB error message and awkward text are stored safely', async (t, {database}) => {
	const [id] = await sites(database.pool, 1);
	const writer = createBatchedResultWriter({pool: database.pool});
	const awkward = String.raw`quote " backslash \ braces {a,b} comma, NULL é 😀`;
	writer.push(checkResult({
		siteId: id!,
		scheduledAt: start,
		httpStatusCode: 555,
		errorKind: 'oth\0er' as 'other',
		errorMessage: 'bad\0 thing ' + '😀'.repeat(5000),
		finalUrl: 'https://x.example/\0path',
	}));
	writer.push(checkResult({siteId: id!, scheduledAt: start + 10_000, errorMessage: awkward}));
	await writer.close();

	const rows = await database.pool.any(sql.type(z.object({
		error_kind: z.string().nullable(),
		error_message: z.string(),
		final_url: z.string().nullable(),
	}))`SELECT error_kind, error_message, final_url FROM healthcheck ORDER BY scheduled_at`);
	t.is(rows.length, 2);
	t.is(rows[0]!.error_kind, 'other');
	t.is(rows[0]!.final_url, 'https://x.example/path');
	t.true(rows[0]!.error_message.startsWith('bad thing 😀'));
	t.true(rows[0]!.error_message.length <= 2000);
	t.false(rows[0]!.error_message.includes('\uFFFD'), 'no surrogate pair was cut');
	t.is(rows[1]!.error_message, awkward);
	t.is(writer.stats().dropped, 0);
});

forEachDatabase('sent_at is stored to the millisecond; unsent or unrepresentable send times are NULL', async (t, {database}) => {
	const [id] = await sites(database.pool, 1);
	const writer = createBatchedResultWriter({pool: database.pool});
	const sentAts = [start + 1234, undefined, NaN, Infinity, 9e15, start - 1];
	for (const [index, sentAt] of sentAts.entries()) {
		writer.push(checkResult({siteId: id!, scheduledAt: start + (index * 10_000), sentAt}));
	}

	// A no-verdict slot: nothing was sent, status 0.
	writer.push(checkResult({siteId: id!, scheduledAt: start + 60_000, httpStatusCode: 0, errorKind: 'client_busy', responseTimeMs: 0}));
	await writer.close();
	const rows = await database.pool.any(sql.type(z.object({sent_at: z.number().nullable(), http_status_code: z.number()}))`
		SELECT sent_at, http_status_code FROM healthcheck ORDER BY scheduled_at
	`);
	t.deepEqual(rows.map(row => row.sent_at), [start + 1234, null, null, null, null, start - 1, null]);
	t.is(rows.at(-1)!.http_status_code, 0);
	t.like(writer.stats(), {written: 7, dropped: 0});
});

forEachDatabase('while the table is unavailable the writer retries, keeps the rows, then catches up', async (t, {database}) => {
	const ids = await sites(database.pool, 10);
	const writer = createBatchedResultWriter({pool: database.pool, retryInitialMs: 20, retryMaxMs: 100});
	await database.pool.query(sql.unsafe`ALTER TABLE healthcheck RENAME TO healthcheck_away`);
	for (const result of resultsFor(ids, 50)) {
		writer.push(result);
	}

	const flushed = writer.flush();
	await waitFor(() => writer.stats().failures >= 2, 30_000);
	t.like(writer.stats(), {state: 'retrying', queued: 50, written: 0});
	t.regex(writer.stats().lastError ?? '', /healthcheck/);
	t.true((writer.stats().nextRetryInMs ?? -1) >= 0);

	await database.pool.query(sql.unsafe`ALTER TABLE healthcheck_away RENAME TO healthcheck`);
	await flushed;
	t.like(writer.stats(), {state: 'connected', queued: 0, written: 50});
	t.is(await countChecks(database.pool), 50);
	await writer.close();
});

forEachDatabase('a row the database rejects is isolated and dropped; the rest of its batch is stored', async (t, {database}) => {
	const ids = await sites(database.pool, 5);
	const writer = createBatchedResultWriter({pool: database.pool});
	const results = resultsFor(ids, 100);
	// A site that does not exist (e.g. deleted while its result was queued): foreign key violation.
	results.splice(37, 0, checkResult({siteId: 999_999, scheduledAt: start}));
	for (const result of results) {
		writer.push(result);
	}

	await writer.close();
	t.is(await countChecks(database.pool), 100);
	t.like(writer.stats(), {written: 100, dropped: 1, queued: 0, state: 'closed'});
	t.regex(writer.stats().lastError ?? '', /foreign key/);
});

forEachDatabase('unstorable results and results pushed after close are dropped, never thrown', async (t, {database}) => {
	const [id] = await sites(database.pool, 1);
	const writer = createBatchedResultWriter({pool: database.pool});
	t.notThrows(() => {
		writer.push(checkResult({siteId: NaN, scheduledAt: start}));
		writer.push(checkResult({siteId: id!, scheduledAt: NaN, requestedAt: NaN}));
		writer.push(checkResult({siteId: id!, scheduledAt: start, httpStatusCode: 1.5, responseTimeMs: Infinity, regexMatchStatus: 7 as 0}));
	});
	await writer.close();
	writer.push(checkResult({siteId: id!, scheduledAt: start + 10_000}));
	t.like(writer.stats(), {written: 1, dropped: 3, queued: 0});
	const row = await database.pool.one(sql.unsafe`SELECT http_status_code, response_time, regex_match_status FROM healthcheck`);
	t.deepEqual(row, {http_status_code: 555, response_time: 0, regex_match_status: 2});
});

forEachDatabase('10,000 results (throughput logged, not asserted)', async (t, {kind, database}) => {
	const ids = await sites(database.pool, 100);
	const results = resultsFor(ids, 10_000);
	const writer = createBatchedResultWriter({pool: database.pool});
	const began = performance.now();
	for (const result of results) {
		writer.push(result);
	}

	await writer.close();
	const seconds = (performance.now() - began) / 1000;
	t.is(await countChecks(database.pool), 10_000);
	t.is(writer.stats().batches, 10);
	t.log(`${kind}: 10,000 rows in ${(seconds * 1000).toFixed(0)} ms = ${Math.round(10_000 / seconds)} rows/s`);
});

test.serial('[pglite] a writer whose PGlite was closed under it keeps its rows queued', async t => {
	const fresh = await createTestDatabase('pglite');
	if (fresh.target.kind !== 'pglite') {
		throw new Error('expected a PGlite target');
	}

	const pglite = new PGlite(fresh.target.dataDir);
	const pool = await createPool('postgres://pglite/postgres', {
		driverFactory: createPgliteDriverFactory(pglite),
		maxPoolSize: 1,
		typeParsers: createTypeParsers(),
	});
	try {
		await migrate(pool);
		const ids = await sites(pool, 2);
		const writer = createBatchedResultWriter({pool, retryInitialMs: 10, retryMaxMs: 20});
		await pglite.close();
		for (const result of resultsFor(ids, 20)) {
			writer.push(result);
		}

		void writer.flush();
		await waitFor(() => writer.stats().failures >= 2, 30_000);
		t.like(writer.stats(), {state: 'retrying', queued: 20, written: 0});
		t.regex(writer.stats().lastError ?? '', /closed/i);
		await writer.close({timeoutMs: 50});
		t.like(writer.stats(), {queued: 0, lost: 20}, 'close with a deadline gives up but reports what it could not store (no journal: lost)');
	} finally {
		await pool.end();
		await fresh.dispose();
	}
});

if (process.env.DATABASE_URL) {
	test.serial('[postgres] a writer outlives the server going away and catches up when it returns', async t => {
		const fresh = await createTestDatabase('postgres');
		const server = new URL(process.env.DATABASE_URL!);
		const proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
		const uri = new URL((fresh.target as {uri: string}).uri);
		uri.hostname = '127.0.0.1';
		uri.port = String(proxy.port);
		const database = await openDatabase({...fresh.target, uri: uri.toString()} as DatabaseTarget);
		try {
			await migrate(database.pool);
			const ids = await sites(database.pool, 5);
			const writer = createBatchedResultWriter({pool: database.pool, retryInitialMs: 20, retryMaxMs: 100});
			await proxy.stop();
			for (const result of resultsFor(ids, 50)) {
				writer.push(result);
			}

			const flushed = writer.flush();
			await waitFor(() => writer.stats().failures >= 2, 30_000);
			t.like(writer.stats(), {state: 'retrying', queued: 50, written: 0});
			t.log(`while away: ${writer.stats().lastError}`);

			await proxy.start();
			await flushed;
			t.like(writer.stats(), {state: 'connected', queued: 0, written: 50});
			t.is(await countChecks(database.pool), 50);
			await writer.close();
		} finally {
			await database.close();
			await proxy.stop();
			await fresh.dispose();
		}
	});
}
