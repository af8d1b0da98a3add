import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {crc32} from 'node:zlib';
import type {ExecutionContext} from 'ava';
import {sql, type DatabasePool} from 'slonik';
import {z} from 'zod';
import type {CheckResult} from '../../source/engine/types.js';
import {createBatchedResultWriter, type BatchedResultWriterOptions} from '../../source/storage/batched-result-writer.js';
import {openDurableRowQueue} from '../../source/storage/durable-row-queue.js';
import {openJournalDirectory} from '../../source/storage/journal-directory.js';
import {countChecks, upsertSites} from '../../source/storage/sites-repository.js';
import {forEachDatabase} from '../helpers/database.js';
import {waitFor} from '../helpers/wait-for.js';
import {checkResult} from './check-result-fixture.js';

const start = Date.UTC(2026, 0, 1);
const urls = Array.from({length: 5}, (_, index) => `https://journal-${index}.example:443`);

async function storeSites(pool: DatabasePool, order = urls) {
	const stored = await upsertSites(pool, order.map(url => ({url, intervalSeconds: 10})));
	return new Map(stored.map(site => [site.url, site.id]));
}

/** Result `index`: site `index % 5`, on that site's 10 s grid; every third one sent nothing. */
function result(ids: ReadonlyMap<string, number>, index: number): CheckResult {
	const url = urls[index % urls.length]!;
	const scheduledAt = start + (Math.floor(index / urls.length) * 10_000);
	return checkResult({siteId: ids.get(url)!, url, scheduledAt, sentAt: index % 3 === 0 ? undefined : scheduledAt + 7});
}

async function journal(t: ExecutionContext) {
	const root = await mkdtemp(path.join(tmpdir(), 'webmon-writer-journal-'));
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	return path.join(root, 'journal');
}

async function writerOver(pool: DatabasePool, directory: string, options: Partial<BatchedResultWriterOptions> & {maxMemoryRows?: number} = {}) {
	const warnings: string[] = [];
	const queue = await openDurableRowQueue({
		directory: await openJournalDirectory(directory, 'test'),
		maxMemoryRows: options.maxMemoryRows,
		warn(line) {
			warnings.push(line);
		},
	});
	const writer = createBatchedResultWriter({pool, queue, retryInitialMs: 20, retryMaxMs: 100, ...options});
	return {writer, warnings};
}

const storedRow = z.object({url_uq: z.string(), scheduled_at: z.number(), sent_at: z.number().nullable()});

/** Stored rows as `url@scheduled@sent`, in insertion (check_id) order. */
async function storedInOrder(pool: DatabasePool): Promise<string[]> {
	const rows = await pool.any(sql.type(storedRow)`
		SELECT w.url_uq, h.scheduled_at, h.sent_at FROM healthcheck h JOIN website w ON w.website_id = h.website_fk ORDER BY h.check_id
	`);
	return rows.map(row => `${row.url_uq}@${row.scheduled_at}@${row.sent_at}`);
}

const key = (entry: CheckResult) => `${entry.url}@${entry.scheduledAt}@${entry.sentAt ?? null}`;

forEachDatabase('while the database is away rows spill to the journal past the memory bound, then are stored in order', async (t, {database}) => {
	const ids = await storeSites(database.pool);
	const directory = await journal(t);
	const {writer, warnings} = await writerOver(database.pool, directory, {maxMemoryRows: 300});
	await database.pool.query(sql.unsafe`ALTER TABLE healthcheck RENAME TO healthcheck_away`);
	const results = Array.from({length: 2000}, (_, index) => result(ids, index));
	for (const [index, entry] of results.entries()) {
		writer.push(entry);
		if (index % 100 === 99) {
			// Results arrive over time, not in one burst.
			await new Promise(resolve => {
				setImmediate(resolve);
			});
		}
	}

	await waitFor(() => writer.stats().failures >= 2 && writer.stats().journaled === 2000, 10_000);
	t.like(writer.stats(), {state: 'retrying', queued: 2000, journaled: 2000, written: 0});
	t.true(writer.stats().journalBytes > 2000 * 100);

	await database.pool.query(sql.unsafe`ALTER TABLE healthcheck_away RENAME TO healthcheck`);
	await writer.flush();
	t.deepEqual(await storedInOrder(database.pool), results.map(entry => key(entry)), 'every row, once, in order');
	await writer.close();
	t.like(writer.stats(), {state: 'closed', queued: 0, journaled: 0, written: 2000});
	t.false(existsSync(directory), 'the journal is removed once its rows are stored');
	t.deepEqual(warnings, []);
});

forEachDatabase('a journal left behind is stored first, matched by URL even after the sites got new ids', async (t, {database}) => {
	const ids = await storeSites(database.pool);
	const directory = await journal(t);
	const first = await writerOver(database.pool, directory);
	await database.pool.query(sql.unsafe`ALTER TABLE healthcheck RENAME TO healthcheck_away`);
	const old = Array.from({length: 100}, (_, index) => result(ids, index));
	for (const entry of old) {
		first.writer.push(entry);
	}

	await waitFor(() => first.writer.stats().failures >= 1, 10_000);
	t.is(await first.writer.closeNow(), 100, 'a forced stop keeps every row in the journal');
	t.true(existsSync(directory));

	// The tables are recreated meanwhile: the same URLs now have other ids.
	await database.pool.query(sql.unsafe`ALTER TABLE healthcheck_away RENAME TO healthcheck`);
	await database.pool.query(sql.unsafe`DELETE FROM website`);
	const newIds = await storeSites(database.pool, [...urls].reverse());
	t.notDeepEqual(newIds, ids);

	const second = await writerOver(database.pool, directory);
	t.is(second.writer.stats().queued, 100);
	const fresh = Array.from({length: 10}, (_, index) => result(newIds, 100 + index));
	for (const entry of fresh) {
		second.writer.push(entry);
	}

	await second.writer.close();
	t.deepEqual(await storedInOrder(database.pool), [...old, ...fresh].map(entry => key(entry)));
	t.false(existsSync(directory));
});

forEachDatabase('rows of a site without an id yet create the site from their definition', async (t, {database}) => {
	const directory = await journal(t);
	const url = 'https://not-stored-yet.example:443/health';
	const {writer} = await writerOver(database.pool, directory, {
		siteDefinitions: new Map([[url, {intervalSeconds: 42.4, regex: 'ok'}]]),
	});
	for (let index = 0; index < 3; index++) {
		writer.push(checkResult({siteId: -1, url, scheduledAt: start + (index * 42_000)}));
	}

	// A provisional site with no definition and no stored row cannot be stored.
	writer.push(checkResult({siteId: -2, url: 'https://unknown.example:443', scheduledAt: start}));
	await writer.close();
	t.is(await countChecks(database.pool), 3);
	t.like(writer.stats(), {written: 3, dropped: 1});
	const site = await database.pool.one(sql.unsafe`SELECT "interval", regex FROM website WHERE url_uq = ${url}`);
	t.deepEqual(site, {interval: 42, regex: 'ok'});
});

forEachDatabase('a journal of the version before sent_at (9-element rows) is replayed, sent_at NULL', async (t, {database}) => {
	const ids = await storeSites(database.pool);
	const directory = await journal(t);
	await mkdir(directory, {recursive: true});
	// Verbatim lines as that version journaled them.
	const lines = [0, 1].map(index => {
		const at = new Date(start + (index * 10_000)).toISOString();
		const json = `{"u":"${urls[0]}","r":[0,"${at}",0.2,200,2,null,"${at}",null,null]}`;
		return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
	});
	await writeFile(path.join(directory, '00000001.v1.ndjson'), lines.join(''));

	const {writer, warnings} = await writerOver(database.pool, directory);
	t.is(writer.stats().queued, 2);
	const fresh = result(ids, 20);
	t.not(fresh.sentAt, undefined);
	writer.push(fresh);
	await writer.close();
	t.deepEqual(await storedInOrder(database.pool), [
		`${urls[0]}@${start}@null`,
		`${urls[0]}@${start + 10_000}@null`,
		key(fresh),
	]);
	t.like(writer.stats(), {written: 3, dropped: 0});
	t.deepEqual(warnings, []);
	t.false(existsSync(directory));
});
