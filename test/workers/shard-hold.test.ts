import test from 'ava';
import type {CheckResult, SiteSpec} from '../../source/engine/types.js';
import {ShardedMonitor} from '../../source/workers/sharded-monitor.js';
import {httpServer} from '../probe/loopback.js';
import {waitFor} from '../helpers/wait-for.js';

/**
A hold (storage can keep no more results) reaches every shard worker, and a worker that dies while
held comes back held: no check is made until the hold ends, and the slots that pass are counted.
*/
test('a hold reaches every shard, survives a worker restart, and checks go on when it ends', async t => {
	const server = await httpServer((_request, response) => {
		response.end('ok');
	});
	t.teardown(async () => server.close());
	const sites: SiteSpec[] = Array.from({length: 8}, (_, index) => ({id: index + 1, url: server.url(`/h/${index + 1}`), intervalSeconds: 1}));
	const warnings: string[] = [];
	const monitor = new ShardedMonitor({
		workers: 2, checksPerSite: -1, timeoutMs: 5000, publishEveryMs: 20, restartDelayMs: 50, warn: line => warnings.push(line),
	});
	monitor.addSites(sites);
	const results: CheckResult[] = [];
	monitor.on('result', result => results.push(result));
	const held = () => monitor.snapshot().totals.heldSlots;
	monitor.start();
	await waitFor(() => results.length >= sites.length, 60_000);

	monitor.hold(true);
	// Once every site let two slots pass, any check in flight at the hold has long reported.
	await waitFor(() => held() >= sites.length * 2, 60_000);
	const before = results.length;
	await waitFor(() => held() >= sites.length * 4, 60_000);
	t.is(results.length, before, 'no check while held');

	await monitor.killShard(0);
	await waitFor(() => warnings.some(line => line.includes('shard 0 exited')), 60_000);
	// The replacement reports slots held too (its own count adds to the dead worker's).
	const afterRestart = held();
	await waitFor(() => held() >= afterRestart + (sites.length * 2), 60_000);
	t.is(results.filter(result => result.errorKind !== 'worker_crash').length, before, 'the replacement is held from its start');

	monitor.hold(false);
	await waitFor(() => results.length >= before + (sites.length * 2), 60_000);
	t.true(results.slice(before).every(result => result.httpStatusCode === 200));
	await monitor.stop();
});
