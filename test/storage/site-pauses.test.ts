import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import type {DatabasePool} from 'slonik';
import type {SiteSpec} from '../../source/engine/types.js';
import {loadSites, openMonitorStorage, type DatabaseTarget} from '../../source/storage/index.js';
import {backendKinds, createTestDatabase, registerPostgresNotice} from '../helpers/database.js';
import {waitFor} from '../helpers/wait-for.js';
import {checkResult} from './check-result-fixture.js';
import {startTcpProxy} from './tcp-proxy.js';

const csvSites = [1, 2, 3].map(index => ({url: `http://127.0.0.1:9/site/${index}`, intervalSeconds: 5}));

async function scratch(t: ExecutionContext) {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-pauses-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	return directory;
}

/** `url -> paused` as the website table holds it. */
async function pausedFlags(pool: DatabasePool): Promise<Record<string, boolean>> {
	return Object.fromEntries((await loadSites(pool)).map(site => [site.url, site.paused ?? false]));
}

for (const kind of backendKinds()) {
	test.serial(`[${kind}] a pause is stored at once when the run reached its database`, async t => {
		const fresh = await createTestDatabase(kind);
		t.teardown(async () => fresh.dispose());
		const storage = (await openMonitorStorage({target: fresh.target, dataDir: await scratch(t), csvSites, sitesTable: false, dropTables: false, log() {}}))!;
		try {
			const [first] = storage.sites as [SiteSpec];
			t.true(first.id >= 1);
			t.is(await storage.storePauses([first], true), 'stored');
			t.true((await pausedFlags(storage.database()!.pool))[first.url]);
			// A pause and its resume at once: written in the order the monitor made them.
			const writes = [storage.storePauses([first], false), storage.storePauses([first], true), storage.storePauses([first], false)];
			t.deepEqual(await Promise.all(writes), ['stored', 'stored', 'stored']);
			t.false((await pausedFlags(storage.database()!.pool))[first.url], 'the last change is the one stored');
		} finally {
			await storage.close();
		}
	});
}

registerPostgresNotice();

if (process.env.DATABASE_URL) {
	test.serial('[postgres] a run that started without its database keeps pauses of its provisional sites and stores them once it is reached', async t => {
		const fresh = await createTestDatabase('postgres');
		const server = new URL(process.env.DATABASE_URL!);
		const proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
		t.teardown(async () => {
			await proxy.stop();
			await fresh.dispose();
		});
		const uri = new URL((fresh.target as {uri: string}).uri);
		uri.hostname = '127.0.0.1';
		uri.port = String(proxy.port);
		const target = {...fresh.target, uri: uri.toString()} as DatabaseTarget;
		await proxy.stop();
		const storage = (await openMonitorStorage({
			target, dataDir: await scratch(t), csvSites, sitesTable: false, dropTables: false, log() {}, writer: {retryInitialMs: 20, retryMaxMs: 100},
		}))!;
		try {
			t.true(storage.startedWithoutDatabase);
			const [first, second] = storage.sites as [SiteSpec, SiteSpec];
			t.true(first.id <= 0 && second.id <= 0, 'provisional ids');
			t.is(await storage.storePauses([first], true), 'deferred', 'waits: there is no database to store it in yet');

			await proxy.start();
			storage.writer.push(checkResult({siteId: second.id, url: second.url, scheduledAt: Date.now()}));
			await storage.writer.flush();
			await waitFor(() => storage.writer.stats().written === 1, 30_000);
			const {pool} = (storage.database()!);
			t.like(await pausedFlags(pool), {[first.url]: true, [second.url]: false}, 'stored once the database was reached');

			// From now on a provisional id is stored at once, by its URL.
			t.is(await storage.storePauses([second], true), 'stored');
			t.is(await storage.storePauses([first], false), 'stored');
			t.like(await pausedFlags(pool), {[first.url]: false, [second.url]: true});
		} finally {
			await storage.close();
		}
	});
}
