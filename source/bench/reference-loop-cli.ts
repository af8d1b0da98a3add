/**
The reference the tool's CPU is measured against (issue 13): a bare undici loop, no engine, no
database, asking the run's own fleet for its own sites' pages as fast as one thread can, with the
same per-origin connection count as the CLI. Its CPU per request is the floor a checker on this
machine, this fleet and this mix of pages can reach; the bench reports the CLI's cost as a
multiple of it, so runs on a machine whose speed varies (it does, by 2x between days here) compare.

Hanging paths are left out (they cost nothing but a place); the requests carry
`x-bench-reference`, which the fleet leaves out of its request log, so the run's analysis only
sees the CLI. Prints one JSON line: requests, errors, CPU ms and wall ms of the measured window.

usage: reference-loop-cli.js SITES_CSV SECONDS [CONCURRENCY] [CONNECTIONS_PER_ORIGIN]
*/
import {readFile} from 'node:fs/promises';
import process from 'node:process';
import {Agent, request} from 'undici';
import {referenceHeader} from './fleet-handler.js';

async function main(): Promise<void> {
	const [csv, secondsText, concurrencyText = '256', connectionsText = '16'] = process.argv.slice(2);
	if (csv === undefined || secondsText === undefined) {
		throw new Error('usage: reference-loop-cli.js SITES_CSV SECONDS [CONCURRENCY] [CONNECTIONS_PER_ORIGIN]');
	}

	const urls = (await readFile(csv, 'utf8')).split('\n')
		.map(line => line.split(',', 1)[0]!)
		.filter(url => url !== '' && !url.endsWith('/hang'));
	const agent = new Agent({connections: Number(connectionsText), headersTimeout: 5000, bodyTimeout: 5000});
	const headers = {[referenceHeader]: '1', 'accept-encoding': 'gzip, deflate, br'};
	let next = 0;
	let requests = 0;
	let errors = 0;
	let measuring = false;
	let stop = false;
	const one = async (): Promise<void> => {
		const url = urls[next++ % urls.length]!;
		try {
			const response = await request(url, {dispatcher: agent, headers});
			await response.body.arrayBuffer();
		} catch {
			if (measuring) {
				errors++;
			}
		}

		if (measuring) {
			requests++;
		}
	};

	const lanes = Array.from({length: Number(concurrencyText)}, async () => {
		while (!stop) {
			await one();
		}
	});
	// A second of warm-up: connections opened, code compiled; then the measured window.
	await new Promise(resolve => setTimeout(resolve, 1000));
	measuring = true;
	const cpu = process.cpuUsage();
	const startedAt = performance.now();
	await new Promise(resolve => setTimeout(resolve, Number(secondsText) * 1000));
	const used = process.cpuUsage(cpu);
	const wallMs = performance.now() - startedAt;
	measuring = false;
	stop = true;
	// Slow and trickling pages may still be in flight; they no longer count, so they are cut off.
	await agent.destroy();
	await Promise.all(lanes);
	process.stdout.write(`${JSON.stringify({requests, errors, cpuMs: (used.user + used.system) / 1000, wallMs, sites: urls.length})}\n`);
}

await main();
