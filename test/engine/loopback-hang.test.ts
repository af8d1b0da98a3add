import http from 'node:http';
import type {AddressInfo} from 'node:net';
import test from 'ava';
import type {CheckResult, SiteSpec} from '../../source/engine/types.js';
import {createLocalEngine} from '../../source/workers/local-engine.js';

/**
The real engine and prober against a real loopback server where 30% of the sites never answer. With
20 slots and 30 hanging sites that each hold a slot for 3 s every second, dead sites alone could fill
every slot; the suspect lane must keep the healthy sites on their grid.
*/
test('with 30% of sites hanging, the healthy ones are still checked on their grid', async t => {
	const arrivals = new Map<string, number[]>();
	const handler: http.RequestListener = (request, response) => {
		const at = Date.now();
		const list = arrivals.get(request.url!) ?? [];
		list.push(at);
		arrivals.set(request.url!, list);
		if (request.url!.startsWith('/hang/')) {
			return; // Never answers; the prober's deadline ends it.
		}

		response.end('ok');
	};

	// One server (origin) per site, as real sites are: hanging sites cannot hold a connection another site needs.
	const servers = await Promise.all(Array.from({length: 100}, async () => {
		const server = http.createServer(handler);
		await new Promise<void>(resolve => {
			server.listen(0, '127.0.0.1', resolve);
		});
		return server;
	}));
	const sites: SiteSpec[] = servers.map((server, index) => ({
		id: index + 1,
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${index % 10 < 3 ? 'hang' : 'ok'}/${index + 1}`,
		intervalSeconds: 1,
	}));
	const engine = createLocalEngine({checksPerSite: 0, timeoutMs: 3000, maxConcurrency: 20});
	const results: CheckResult[] = [];
	engine.on('result', result => results.push(result));
	engine.addSites(sites);
	const startedAt = Date.now();
	engine.start();
	await new Promise(resolve => {
		setTimeout(resolve, 12_000);
	});
	await engine.stop();
	await engine.close();
	await Promise.all(servers.map(async server => {
		server.closeAllConnections();
		await new Promise(resolve => {
			server.close(resolve);
		});
	}));

	// After its first timeout a hanging site runs in the bounded lane; by ~7 s every one has had one.
	const steadyFrom = startedAt + 7000;
	const healthy = results.filter(result => result.url.includes('/ok/') && result.scheduledAt >= steadyFrom && result.scheduledAt < startedAt + 11_000);
	t.true(healthy.length >= 70 * 3, `${healthy.length} healthy checks scheduled in the last 4 s`);
	for (const result of healthy) {
		t.is(result.httpStatusCode, 200, result.url);
	}

	// Server-measured lateness: each healthy request arrived within 500 ms of its slot.
	const worst = Math.max(...healthy.map(result => {
		const arrived = arrivals.get(new URL(result.url).pathname)!.find(at => at >= result.scheduledAt - 5)!;
		return arrived - result.scheduledAt;
	}));
	t.true(worst <= 500, `healthy sites up to ${worst} ms late`);

	// On the grid: consecutive slots of a healthy site are exactly one interval apart, none skipped.
	const bySite = new Map<number, number[]>();
	for (const result of healthy) {
		bySite.set(result.siteId, [...(bySite.get(result.siteId) ?? []), result.scheduledAt]);
	}

	t.is(bySite.size, 70);
	for (const slots of bySite.values()) {
		slots.sort((a, b) => a - b);
		for (let index = 1; index < slots.length; index++) {
			t.is(slots[index]! - slots[index - 1]!, 1000);
		}
	}

	const hanging = results.filter(result => result.url.includes('/hang/'));
	t.true(hanging.length > 0 && hanging.every(result => result.errorKind !== undefined), 'hanging sites end as errors, not silence');
});
