import http from 'node:http';
import type {AddressInfo} from 'node:net';
import test from 'ava';
import type {CheckResult, SiteSpec} from '../../source/engine/types.js';
import {ShardedMonitor} from '../../source/workers/sharded-monitor.js';
import {shardOf, splitByShard} from '../../source/workers/shard.js';
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

test('shards cover every site exactly once', t => {
	const ids = Array.from({length: 1000}, (_, index) => index * 7 + 3);
	for (const workers of [1, 2, 3, 8]) {
		const shards = splitByShard(ids, workers, id => id);
		t.is(shards.length, workers);
		t.deepEqual(shards.flat().sort((a, b) => a - b), ids);
		for (const [index, shard] of shards.entries()) {
			t.true(shard.every(id => shardOf(id, workers) === index));
			t.true(shard.length > 0);
		}
	}
});

test('three shard workers check every site on its grid and report every result once', async t => {
	const server = await startServer();
	t.teardown(async () => server.close());
	const sites: SiteSpec[] = Array.from({length: 30}, (_, index) => ({
		id: index + 1,
		url: `${server.base}/site/${index + 1}${index % 5 === 0 ? '/down' : ''}`,
		intervalSeconds: 1,
		regex: 'good',
	}));
	const monitor = new ShardedMonitor({workers: 3, checksPerSite: 2, timeoutMs: 5000, publishEveryMs: 50});
	monitor.addSites(sites);
	const results = await runUntilDone(monitor);

	t.is(results.length, 60);
	t.is(new Set(results.map(result => `${result.siteId}@${result.scheduledAt}`)).size, 60, 'no duplicates');
	for (const site of sites) {
		const own = results.filter(result => result.siteId === site.id).sort((a, b) => a.scheduledAt - b.scheduledAt);
		t.is(own.length, 2);
		t.is(own[1]!.scheduledAt - own[0]!.scheduledAt, 1000, 'on the interval grid');
		t.is(server.hits.get(new URL(site.url).pathname), 2, JSON.stringify(own));
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
	const server = await startServer();
	t.teardown(async () => server.close());
	const sites: SiteSpec[] = Array.from({length: 4}, (_, index) => ({id: index + 1, url: `${server.base}/p/${index + 1}`, intervalSeconds: 1}));
	const monitor = new ShardedMonitor({workers: 2, checksPerSite: -1, timeoutMs: 5000, publishEveryMs: 20});
	t.teardown(async () => monitor.stop());
	// Sites 2 and 3 live on different shards, so each command has to find the right one.
	t.not(shardOf(2, 2), shardOf(3, 2));
	monitor.addSites(sites);
	monitor.start();
	const hits = (id: number) => server.hits.get(`/p/${id}`) ?? 0;

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
