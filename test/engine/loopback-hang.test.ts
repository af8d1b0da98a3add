import http from 'node:http';
import type {AddressInfo} from 'node:net';
import test from 'ava';
import type {CheckResult, SiteSpec} from '../../source/engine/types.js';
import {createLocalEngine} from '../../source/workers/local-engine.js';
import {waitFor} from '../helpers/wait-for.js';

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
	engine.start();
	const isHanging = (site: SiteSpec) => site.url.includes('/hang/');
	const rowsOf = (id: number) => results.filter(result => result.siteId === id);
	// After its first timeout a hanging site runs in the bounded lane: from then on is the steady state.
	await waitFor(() => sites.filter(isHanging).every(site => rowsOf(site.id).some(result => result.httpStatusCode === 598)), 60_000, {what: 'a timeout of every hanging site'});
	const steadyFrom = Date.now();
	// Three slots of every healthy site in the steady state, however long the machine takes to get there.
	const steadyRows = (id: number) => rowsOf(id).filter(result => result.scheduledAt >= steadyFrom);
	await waitFor(() => sites.filter(site => !isHanging(site)).every(site => steadyRows(site.id).length >= 3), 60_000, {what: 'three steady slots of every healthy site'});
	await engine.stop();
	await engine.close();
	await Promise.all(servers.map(async server => {
		server.closeAllConnections();
		await new Promise(resolve => {
			server.close(resolve);
		});
	}));

	const healthy = results.filter(result => result.url.includes('/ok/') && result.scheduledAt >= steadyFrom);
	// A slot lost to the hanging sites would be a row too: skipped, or client_busy (status 0).
	t.deepEqual(healthy.filter(result => result.httpStatusCode !== 200).map(result => `${result.url} ${result.errorKind}`), [], 'every healthy slot checked and up');

	// On the grid: consecutive slots of a healthy site are exactly one interval apart, none skipped.
	const bySite = Map.groupBy(healthy, result => result.siteId);
	t.is(bySite.size, 70);
	for (const rows of bySite.values()) {
		const slots = rows.map(result => result.scheduledAt).sort((a, b) => a - b);
		t.true(slots.length >= 3);
		for (let index = 1; index < slots.length; index++) {
			t.is(slots[index]! - slots[index - 1]!, 1000);
		}
	}

	// How late the requests arrived is the benchmark's to measure; here it is only logged.
	const worst = Math.max(...healthy.map(result => {
		const arrived = arrivals.get(new URL(result.url).pathname)!.find(at => at >= result.scheduledAt - 5)!;
		return arrived - result.scheduledAt;
	}));
	t.log(`healthy sites up to ${worst} ms late (server-measured)`);

	const hanging = results.filter(result => result.url.includes('/hang/'));
	t.true(hanging.length > 0 && hanging.every(result => result.errorKind !== undefined), 'hanging sites end as errors, not silence');
});
