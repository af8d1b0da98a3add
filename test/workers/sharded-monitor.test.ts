import http from 'node:http';
import type {AddressInfo} from 'node:net';
import test from 'ava';
import type {CheckResult, SiteSpec} from '../../source/engine/types.js';
import {ShardedMonitor} from '../../source/workers/sharded-monitor.js';
import {waitFor} from '../helpers/wait-for.js';

async function startServer() {
	const hits = new Map<string, number>();
	const server = http.createServer((request, response) => {
		hits.set(request.url!, (hits.get(request.url!) ?? 0) + 1);
		response.end(request.url!.includes('down') ? 'maintenance' : 'all good');
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		hits,
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

/** Starts `monitor`, waits until every site had its checks, stops it; the results as reported. */
async function runUntilDone(monitor: ShardedMonitor): Promise<CheckResult[]> {
	const results: CheckResult[] = [];
	monitor.on('result', result => results.push(result));
	const done = new Promise<void>(resolve => {
		monitor.once('done', resolve);
	});
	monitor.start();
	await done;
	await monitor.stop();
	return results;
}

test('three shard workers check every site on its grid and report every result once', async t => {
	// Three servers, three origins: sites are placed by origin, one per shard here.
	const servers = await Promise.all([startServer(), startServer(), startServer()]);
	t.teardown(async () => Promise.all(servers.map(async server => server.close())));
	const serverOf = (index: number) => servers[index % 3]!;
	const sites: SiteSpec[] = Array.from({length: 30}, (_, index) => ({
		id: index + 1,
		url: `${serverOf(index).base}/site/${index + 1}${index % 5 === 0 ? '/down' : ''}`,
		intervalSeconds: 1,
		regex: 'good',
	}));
	const monitor = new ShardedMonitor({workers: 3, checksPerSite: 2, timeoutMs: 5000, publishEveryMs: 50});
	monitor.addSites(sites);
	t.deepEqual(new Set(sites.map(site => monitor.shardOf(site.id))), new Set([0, 1, 2]), 'every shard has sites');
	for (const [index, site] of sites.entries()) {
		t.is(monitor.shardOf(site.id), monitor.shardOf(sites[index % 3]!.id), 'a server\'s sites share its shard');
	}

	const results = await runUntilDone(monitor);

	t.is(results.length, 60);
	t.is(new Set(results.map(result => `${result.siteId}@${result.scheduledAt}`)).size, 60, 'no duplicates');
	for (const site of sites) {
		const own = results.filter(result => result.siteId === site.id).sort((a, b) => a.scheduledAt - b.scheduledAt);
		t.is(own.length, 2);
		t.is(own[1]!.scheduledAt - own[0]!.scheduledAt, 1000, 'on the interval grid');
		t.is(serverOf(site.id - 1).hits.get(new URL(site.url).pathname), 2, JSON.stringify(own));
	}

	const {totals, sites: views} = monitor.snapshot();
	t.is(totals.sites, 30);
	t.is(totals.down, 6, 'regex misses are down');
	t.is(totals.up, 24);
	t.is(totals.completed, 60);
	t.is(views.length, 30);
	t.deepEqual(views.map(view => view.id), sites.map(site => site.id), 'views in the order sites were added');
	t.true(views.every(view => view.checks === 2));
});

test('without site views (the headless printer) the shards report every result and the totals, and no view crosses threads', async t => {
	const server = await startServer();
	t.teardown(async () => server.close());
	const sites: SiteSpec[] = Array.from({length: 20}, (_, index) => ({
		id: index + 1,
		url: `${server.base}/quiet/${index + 1}${index % 4 === 0 ? '/down' : ''}`,
		intervalSeconds: 1,
		regex: 'good',
		paused: index === 19,
	}));
	const monitor = new ShardedMonitor({workers: 2, checksPerSite: 2, timeoutMs: 5000, publishEveryMs: 50, siteViews: false});
	monitor.addSites(sites);
	t.like(monitor.snapshot().totals, {sites: 20, paused: 1, pending: 19, up: 0, down: 0}, 'counts before any shard reported');
	const results = await runUntilDone(monitor);
	// The stopped workers exit soon after; wait for that (a no-op for one already gone), since the
	// counts must outlive them: they once went with the worker, and the sites read as pending.
	await monitor.killShard(0);
	await monitor.killShard(1);

	t.is(results.length, 38, 'two rows for each of the 19 sites not paused');
	const {totals, sites: views} = monitor.snapshot();
	t.deepEqual(views, [], 'no views kept on this thread');
	t.like(totals, {sites: 20, up: 14, down: 5, paused: 1, pending: 0, completed: 38});
});

test('pause, resume and checkNow reach the shard that owns the site', async t => {
	// Two servers: sites 1 and 3 on one origin, 2 and 4 on the other, so on different shards.
	const servers = await Promise.all([startServer(), startServer()]);
	t.teardown(async () => Promise.all(servers.map(async server => server.close())));
	const serverOf = (id: number) => servers[id % 2]!;
	const sites: SiteSpec[] = Array.from({length: 4}, (_, index) => ({id: index + 1, url: `${serverOf(index + 1).base}/p/${index + 1}`, intervalSeconds: 1}));
	const monitor = new ShardedMonitor({workers: 2, checksPerSite: -1, timeoutMs: 5000, publishEveryMs: 20});
	t.teardown(async () => monitor.stop());
	monitor.addSites(sites);
	// Sites 2 and 3 live on different shards, so each command has to find the right one.
	t.not(monitor.shardOf(2), monitor.shardOf(3));
	monitor.start();
	const hits = (id: number) => serverOf(id).hits.get(`/p/${id}`) ?? 0;

	await waitFor(() => monitor.snapshot().totals.up === 4, 60_000);
	void monitor.pause([2, 3]);
	await waitFor(() => monitor.snapshot().totals.paused === 2, 60_000);
	// A check of 2 or 3 already in flight when the pause arrived has reported by now (the snapshot shows it).
	await waitFor(() => monitor.snapshot().sites.every(view => !view.running || view.id === 1 || view.id === 4), 60_000);
	const paused = {2: hits(2), 3: hits(3)};
	// Two more slots of the running sites prove two slots of the paused ones passed unchecked.
	const running = {1: hits(1), 4: hits(4)};
	await waitFor(() => hits(1) >= running[1] + 2 && hits(4) >= running[4] + 2, 60_000);
	t.is(hits(2), paused[2], 'paused site 2 not checked');
	t.is(hits(3), paused[3], 'paused site 3 not checked');

	void monitor.resume([2]);
	await waitFor(() => hits(2) > paused[2], 60_000);
	t.true(monitor.checkNow(3), 'a manual check of a paused site is accepted');
	await waitFor(() => hits(3) === paused[3] + 1, 60_000);
	// Paused still: after two more slots of the others, site 3 had its one manual check and no other.
	const after = {1: hits(1), 4: hits(4)};
	await waitFor(() => hits(1) >= after[1] + 2 && hits(4) >= after[4] + 2, 60_000);
	t.is(hits(3), paused[3] + 1, 'site 3 is still paused after its manual check');
	t.false(monitor.checkNow(99), 'an unknown site is refused');
	await monitor.stop();
	t.is(monitor.snapshot().totals.paused, 1);
});
