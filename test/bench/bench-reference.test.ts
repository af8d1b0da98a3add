import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {measureReferenceLoop} from '../../source/bench/bench-reference.js';
import {startFleet} from '../../source/bench/fleet.js';

// The child is the built script (`npm test` builds before ava), as the bench runs it.
const dist = fileURLToPath(new URL('../../dist', import.meta.url));

test('the reference loop measures a bare client on the run\'s fleet without entering its request log', async t => {
	const directory = await mkdtemp(path.join(tmpdir(), 'bench-reference-'));
	const fleet = await startFleet({addresses: 2, portsPerAddress: 1, https: true});
	t.teardown(async () => {
		await fleet.close();
		await rm(directory, {recursive: true, force: true});
	});
	// Every kind of page, hanging ones too: the loop must leave those out or stall on them.
	const sites = fleet.sites({count: 60, mix: 'demo', scheme: 'https'});
	t.true(sites.some(site => site.url.endsWith('/hang')));
	const csv = path.join(directory, 'sites.csv');
	await fleet.writeCsv(csv, sites);
	const lines: string[] = [];
	const reference = await measureReferenceLoop(dist, csv, line => lines.push(line), 1);
	t.deepEqual(lines, [], 'nothing went wrong');
	t.truthy(reference);
	t.true(reference!.requests > 50, `${reference!.requests} requests in a second`);
	t.true(reference!.cpuMsPerRequest > 0);
	t.is(Math.round(reference!.requestsPerSecond * reference!.seconds), reference!.requests);
	// Served over TLS with the fleet's own CA, and kept out of what the run's analysis reads.
	t.is(fleet.requestCount(), 0);
});

test('a reference loop that cannot run says why and gives no figure', async t => {
	const lines: string[] = [];
	const reference = await measureReferenceLoop(dist, '/nonexistent/sites.csv', line => lines.push(line), 1);
	t.is(reference, undefined);
	t.is(lines.length, 1);
	t.regex(lines[0]!, /^reference loop failed: /);
});
