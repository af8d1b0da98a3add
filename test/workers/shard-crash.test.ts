import type {IncomingMessage, ServerResponse} from 'node:http';
import test from 'ava';
import type {CheckResult, SiteSpec} from '../../source/engine/types.js';
import {ShardedMonitor} from '../../source/workers/sharded-monitor.js';
import {waitFor} from '../helpers/wait-for.js';
import {httpServer} from '../probe/loopback.js';

/**
A shard worker killed mid-run: its checks in flight end as `worker_crash` rows, the replacement
resumes from the present on each site's grid (no past slot replayed), and `--number-healthchecks`
still holds: every site ends with exactly its number of rows, one per slot.
*/
test('a worker killed mid-run: in-flight checks stored as worker_crash, no past slot replayed, every later slot on the grid', async t => {
	const arrivals: Array<{path: string; at: number}> = [];
	const idOf = (path: string) => Number(path.split('/').pop());
	// While `holding`, shard 0's requests are kept unanswered, so it has checks in flight when it dies.
	let holding = false;
	const held = new Set<string>();
	let shardOf: (id: number) => number | undefined = () => undefined;
	const handler = (request: IncomingMessage, response: ServerResponse) => {
		arrivals.push({path: request.url!, at: Date.now()});
		if (holding && shardOf(idOf(request.url!)) === 0) {
			held.add(request.url!);
			return;
		}

		setTimeout(() => response.end('ok'), 20);
	};

	// Two servers, two origins: sites are placed by origin, so each shard has half of them.
	const servers = [await httpServer(handler), await httpServer(handler)];
	t.teardown(async () => Promise.all(servers.map(async server => server.close())));
	const sites: SiteSpec[] = Array.from({length: 20}, (_, index) => ({id: index + 1, url: servers[index % 2]!.url(`/site/${index + 1}`), intervalSeconds: 2}));
	const checks = 8;
	const warnings: string[] = [];
	const monitor = new ShardedMonitor({
		workers: 2, checksPerSite: checks, timeoutMs: 5000, publishEveryMs: 50, maxPerHost: 40, warn: line => warnings.push(line),
	});
	monitor.addSites(sites);
	shardOf = id => monitor.shardOf(id);
	t.deepEqual(new Set(sites.map(site => shardOf(site.id))), new Set([0, 1]));
	const results: Array<{result: CheckResult; at: number}> = [];
	monitor.on('result', result => results.push({result, at: Date.now()}));
	const done = new Promise<void>(resolve => {
		monitor.once('done', resolve);
	});
	monitor.start();
	await waitFor(() => results.length >= sites.length, 60_000, {what: 'a round of checks'});
	holding = true;
	// Kill once shard 0 has reported three checks started whose requests the server holds.
	const heldOnShard0 = () => monitor.snapshot().sites.filter(view => shardOf(view.id) === 0 && view.running && held.has(`/site/${view.id}`)).length;
	await waitFor(() => heldOnShard0() >= 3, 60_000, {what: 'three checks in flight on shard 0'});
	const killedAt = Date.now();
	// The held requests are never answered (their client dies); the replacement's are.
	holding = false;
	await monitor.killShard(0);
	await done;
	await monitor.stop();

	t.true(warnings.some(line => /shard 0 exited .* stored as worker_crash; restarting it/.test(line)), warnings.join('\n'));
	const crashed = results.filter(({result}) => result.errorKind === 'worker_crash');
	t.true(crashed.length >= 3, `${crashed.length} crash rows`);
	for (const {result} of crashed) {
		t.is(shardOf(result.siteId), 0, 'only the killed shard loses checks');
		t.true(result.scheduledAt < killedAt && result.requestedAt < killedAt);
		// Each was a real request: the server saw it between its start and the kill.
		t.true(arrivals.some(arrival => arrival.path === new URL(result.url).pathname && arrival.at >= result.requestedAt && arrival.at <= killedAt), result.url);
	}

	const bySite = Map.groupBy(results, ({result}) => result.siteId);
	t.is(bySite.size, 20);
	for (const [siteId, rows] of bySite) {
		const slots = rows.map(({result}) => result.scheduledAt).sort((a, b) => a - b);
		t.is(slots.length, checks, `site ${siteId}: one row per slot`);
		t.is(new Set(slots).size, checks, `site ${siteId}: no slot twice`);
		// Before and after the restart, every slot is on the site's own grid.
		for (const slot of slots) {
			t.is((slot - slots[0]!) % 2000, 0, `site ${siteId}: slot ${slot} off the grid`);
		}

		// The replacement never went back: what it reported was scheduled after the kill (only the
		// killed shard's sites; the other shard's checks in flight at the kill end after it legitimately).
		const replayed = rows.filter(({result, at}) => shardOf(siteId) === 0 && at > killedAt && result.errorKind !== 'worker_crash' && result.scheduledAt < killedAt);
		t.deepEqual(replayed.map(({result}) => result.scheduledAt), [], `site ${siteId}: past slots replayed`);
	}

	// A slot can find its site's check still running on a busy machine (or held above): a skipped row.
	t.true(results.every(({result}) => result.errorKind === 'worker_crash' || result.errorKind === 'skipped' || result.httpStatusCode === 200), 'every other check answered');
	for (const site of sites.filter(site => shardOf(site.id) === 0)) {
		t.true(results.some(({result, at}) => at > killedAt && result.siteId === site.id && result.httpStatusCode === 200), `site ${site.id} checked again after the restart`);
	}
});
