import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import type {PausedSite} from '../../source/engine/pause-store.js';
import type {CheckResult, SiteSpec} from '../../source/engine/types.js';
import {openMonitorStorage} from '../../source/storage/index.js';
import {createMonitor, type RunningMonitor} from '../../source/workers/create-monitor.js';
import {ShardedMonitor} from '../../source/workers/sharded-monitor.js';
import {backendKinds, createTestDatabase, registerPostgresNotice} from '../helpers/database.js';
import {waitFor} from '../helpers/wait-for.js';
import {httpServer} from '../probe/loopback.js';

/**
With shard workers the main thread's monitor owns every site's pause: a shard that dies takes its
engine's copy with it, and its replacement starts from the monitor's. The pause store (storage) gets
each change the monitor makes, so the next run starts with it.
*/

/** A loopback server that answers at once and remembers when each path was asked for. */
async function recordingServer(t: ExecutionContext) {
	const arrivals = new Map<string, number[]>();
	const server = await httpServer((request, response) => {
		arrivals.set(request.url!, [...arrivals.get(request.url!) ?? [], Date.now()]);
		response.end('ok');
	});
	t.teardown(async () => server.close());
	return {
		url: (id: number) => server.url(`/site/${id}`),
		/** Requests for site `id` that arrived after `since` (epoch ms). */
		since: (id: number, since: number) => (arrivals.get(`/site/${id}`) ?? []).filter(at => at > since).length,
	};
}

const viewOf = (monitor: {snapshot: RunningMonitor['snapshot']}, id: number) => monitor.snapshot().sites.find(view => view.id === id)!;

test('a pause made through the monitor holds when the shard\'s worker crashes, and one made while it is down holds after its restart', async t => {
	// Two servers, two origins: odd sites on one shard, even ones on the other.
	const servers = [await recordingServer(t), await recordingServer(t)] as const;
	const serverOf = (id: number) => servers[id % 2 === 0 ? 0 : 1];
	const server = {
		url: (id: number) => serverOf(id).url(id),
		since: (id: number, since: number) => serverOf(id).since(id, since),
	};
	const sites: SiteSpec[] = Array.from({length: 8}, (_, index) => ({id: index + 1, url: server.url(index + 1), intervalSeconds: 0.5}));
	const stored: Array<{ids: number[]; paused: boolean}> = [];
	const warnings: string[] = [];
	const monitor = new ShardedMonitor({
		workers: 2,
		checksPerSite: 0,
		timeoutMs: 5000,
		publishEveryMs: 50,
		restartDelayMs: 250,
		warn: line => warnings.push(line),
		async pauseStore(changed: readonly PausedSite[], paused: boolean) {
			stored.push({ids: changed.map(site => site.id), paused});
			return 'stored';
		},
	});
	monitor.addSites(sites);
	const results: CheckResult[] = [];
	monitor.on('result', result => results.push(result));
	monitor.start();
	t.teardown(async () => monitor.stop());
	/** Checks of `id` the monitor handed to a prober after `since`: the old worker's all started before it died. */
	const checkedSince = (id: number, since: number) => results.filter(result => result.siteId === id && result.requestedAt > since).length;
	const [pausedFirst, pausedWhileDown, ...others] = sites.filter(site => monitor.shardOf(site.id) === 0).map(site => site.id) as [number, number, ...number[]];
	await waitFor(() => sites.every(site => server.since(site.id, 0) > 0), 20_000);

	// Paused, and the worker killed before it can report the pause back.
	t.is(await monitor.pause([pausedFirst]), 'stored');
	t.is(viewOf(monitor, pausedFirst).status, 'paused', 'the snapshot shows it at once');
	await monitor.killShard(0);
	const killedAt = Date.now();
	await waitFor(() => warnings.some(line => /shard 0 exited .* restarting it/.test(line)), 10_000);
	// Paused while no worker runs the shard: no engine there to tell.
	t.is(await monitor.pause([pausedWhileDown]), 'stored');
	t.deepEqual(stored, [{ids: [pausedFirst], paused: true}, {ids: [pausedWhileDown], paused: true}]);

	// The replacement checks the shard's other sites, twice, and never the paused ones.
	await waitFor(() => others.every(id => checkedSince(id, killedAt) >= 2), 20_000);
	t.is(checkedSince(pausedFirst, killedAt), 0);
	t.is(checkedSince(pausedWhileDown, killedAt), 0);
	t.is(viewOf(monitor, pausedFirst).status, 'paused');
	t.is(viewOf(monitor, pausedWhileDown).status, 'paused');
	t.is(monitor.snapshot().totals.paused, 2);

	// And a resume reaches the replacement.
	const resumedAt = Date.now();
	t.is(await monitor.resume([pausedWhileDown]), 'stored');
	await waitFor(() => checkedSince(pausedWhileDown, resumedAt) > 0 && server.since(pausedWhileDown, resumedAt) > 0, 20_000);
	t.not(viewOf(monitor, pausedWhileDown).status, 'paused');
	t.is(monitor.snapshot().totals.paused, 1);
});

for (const kind of backendKinds()) {
	test.serial(`[${kind}] a pause made through a sharded monitor is stored, and the next run starts with it`, async t => {
		const server = await recordingServer(t);
		const fresh = await createTestDatabase(kind);
		const dataDir = await mkdtemp(path.join(tmpdir(), 'webmon-shard-pauses-'));
		t.teardown(async () => {
			await fresh.dispose();
			await rm(dataDir, {recursive: true, force: true});
		});
		const csvSites = [1, 2, 3].map(id => ({url: server.url(id), intervalSeconds: 1}));
		const open = async (sitesTable: boolean) => (await openMonitorStorage({
			target: fresh.target, dataDir, csvSites: sitesTable ? undefined : csvSites, sitesTable, dropTables: false, log() {},
		}))!;
		const run = async (storage: Awaited<ReturnType<typeof open>>) => {
			const monitor = await createMonitor({workers: 1, checksPerSite: 0, timeoutMs: 5000, pauseStore: storage.storePauses});
			monitor.addSites(storage.sites);
			monitor.start();
			return monitor;
		};

		const first = await open(false);
		const target = first.sites.find(site => site.url === server.url(2))!;
		let monitor = await run(first);
		t.is(await monitor.pause([target.id]), 'stored');
		await monitor.stop();
		await first.close();

		const second = await open(true);
		try {
			t.true(second.sites.find(site => site.id === target.id)!.paused, 'the website table holds the pause');
			monitor = await run(second);
			const startedAt = Date.now();
			t.is(viewOf(monitor, target.id).status, 'paused', 'the monitor starts with it');
			await waitFor(() => server.since(1, startedAt) >= 2 && server.since(3, startedAt) >= 2, 20_000);
			t.is(server.since(2, startedAt), 0, 'the paused site was not checked in the second run');
			t.like(viewOf(monitor, target.id), {status: 'paused', checks: 0});
			await monitor.stop();
		} finally {
			await second.close();
		}
	});
}

registerPostgresNotice();
