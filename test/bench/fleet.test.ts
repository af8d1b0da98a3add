import diagnosticsChannel from 'node:diagnostics_channel';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import type {IncomingMessage} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {gunzipSync} from 'node:zlib';
import test from 'ava';
import {Agent, fetch, request} from 'undici';
import {
	demoSites,
	fleetKinds,
	fleetPhrase,
	fleetRegex,
	fleetTlsPaths,
	startFleet,
	type Fleet,
	type FleetKind,
} from '../../source/bench/fleet.js';
import {waitFor} from '../helpers/wait-for.js';

// Every request in this file goes to the fleet's own 127.0.1.x servers.
let fleet: Fleet;
let closingFleet: Fleet;
let agent: Agent;
let temporary: string;

test.before(async () => {
	temporary = await mkdtemp(join(tmpdir(), 'fleet-test-'));
	fleet = await startFleet({addresses: 3, portsPerAddress: 2, https: true});
	closingFleet = await startFleet({addresses: 1, portsPerAddress: 1, connectionClose: true});
	agent = new Agent({connect: {ca: await readFile(fleetTlsPaths.ca)}});
});

test.after.always(async () => {
	await Promise.all([fleet?.close(), closingFleet?.close(), agent?.close()]);
	await rm(temporary, {recursive: true, force: true});
});

function urlOf(target: Fleet, id: number, kind: string, scheme: 'http' | 'https' = 'http'): string {
	const origin = target.origins.find(o => o.scheme === scheme)!;
	return `${origin.origin}/s/${id}/${kind}`;
}

async function get(url: string, options: {signal?: AbortSignal} = {}) {
	const started = performance.now();
	const response = await request(url, {dispatcher: agent, ...options});
	const body = Buffer.from(await response.body.arrayBuffer());
	return {status: response.statusCode, headers: response.headers, body, ms: performance.now() - started};
}

function logged(target: Fleet, id: number): string[] {
	const log = target.log();
	const kinds: string[] = [];
	for (let index = 0; index < log.length; index++) {
		if (log.siteIds[index] === id) {
			kinds.push(log.at(index).kind);
		}
	}

	return kinds;
}

for (const scheme of ['http', 'https'] as const) {
	test(`ok over ${scheme}: 200 with a 2-20 KiB page, logged with its id`, async t => {
		const id = scheme === 'http' ? 101 : 102;
		const before = Date.now();
		const response = await get(urlOf(fleet, id, 'ok', scheme));
		t.is(response.status, 200);
		t.true(response.body.length >= 2048 && response.body.length <= 20_480);
		t.true(response.body.toString().includes(`fleet site ${id}`));
		t.false(response.body.toString().includes(fleetPhrase));
		t.not(response.headers.connection, 'close');
		t.deepEqual(logged(fleet, id), ['ok']);
		const log = fleet.log();
		const index = [...log.siteIds].indexOf(id);
		t.true(log.epochMs[index]! >= before && log.epochMs[index]! <= Date.now());
		t.true(log.monotonicMs[index]! > 0);
	});

	test(`reset over ${scheme}: the connection is torn down`, async t => {
		const error = await t.throwsAsync(get(urlOf(fleet, scheme === 'http' ? 111 : 112, 'reset', scheme)));
		t.true(['ECONNRESET', 'UND_ERR_SOCKET'].includes((error as {code?: string}).code ?? ''), String(error));
	});
}

test('the same id always serves the same page', async t => {
	const first = await get(urlOf(fleet, 120, 'ok'));
	const second = await get(urlOf(fleet, 120, 'ok', 'https'));
	t.true(first.body.equals(second.body));
});

test('slow answers after at least a second', async t => {
	const response = await get(urlOf(fleet, 130, 'slow'));
	t.is(response.status, 200);
	t.true(response.ms >= 1000, `${response.ms} ms`);
});

test('error and notfound give 500 and 404', async t => {
	t.is((await get(urlOf(fleet, 140, 'error'))).status, 500);
	t.is((await get(urlOf(fleet, 141, 'notfound'))).status, 404);
});

test('redirect sends 302 to the same site\'s ok page, which a client can follow', async t => {
	const response = await get(urlOf(fleet, 150, 'redirect'));
	t.is(response.status, 302);
	t.is(response.headers.location, '/s/150/ok');
	const followed = await fetch(urlOf(fleet, 151, 'redirect'), {dispatcher: agent});
	await followed.arrayBuffer();
	t.is(followed.status, 200);
	t.true(followed.redirected);
	t.true(followed.url.endsWith('/s/151/ok'));
	t.deepEqual(logged(fleet, 151), ['redirect', 'ok']);
});

test('hang never answers: the request stays open until the client gives up', async t => {
	const controller = new AbortController();
	const answer = get(urlOf(fleet, 160, 'hang'), {signal: controller.signal});
	// The client's patience starts once the server has the request, however long that took.
	await waitFor(() => logged(fleet, 160).includes('hang'), 60_000, {what: 'the hang request at the server'});
	const gaveUp = new Error('the client gave up after 300 ms');
	setTimeout(() => {
		controller.abort(gaveUp);
	}, 300);
	const error = await t.throwsAsync(answer);
	t.is(error, gaveUp, 'no answer came before the client gave up');
	t.deepEqual(logged(fleet, 160), ['hang']);
});

test('gzip sends a gzip-encoded page', async t => {
	const response = await get(urlOf(fleet, 170, 'gzip'));
	t.is(response.status, 200);
	t.is(response.headers['content-encoding'], 'gzip');
	const page = gunzipSync(response.body);
	t.true(page.length >= 2048 && page.length <= 20_480);
	t.true(page.toString().includes('fleet site 170'));
});

test('match carries the phrase, miss only a near miss of it', async t => {
	const match = await get(urlOf(fleet, 180, 'match'));
	const miss = await get(urlOf(fleet, 181, 'miss'));
	t.true(match.body.toString().includes(fleetPhrase));
	t.false(miss.body.toString().includes(fleetPhrase));
	t.true(miss.body.toString().includes('webmon fleet'));
});

test('trickle sends headers at once and the body slowly, in pieces', async t => {
	// The server runs in this process: its response ends only after every piece's timer, so the headers
	// reaching the client before that end is an order of events, whatever the machine's speed.
	let serverFinished = false;
	const onFinish = (message: unknown) => {
		if ((message as {request: IncomingMessage}).request.url === '/s/190/trickle') {
			serverFinished = true;
		}
	};

	diagnosticsChannel.subscribe('http.server.response.finish', onFinish);
	t.teardown(() => diagnosticsChannel.unsubscribe('http.server.response.finish', onFinish));
	const started = performance.now();
	const response = await request(urlOf(fleet, 190, 'trickle'), {dispatcher: agent});
	t.false(serverFinished, 'the headers arrived while the body was still being sent');
	let chunks = 0;
	let bytes = 0;
	for await (const chunk of response.body) {
		chunks++;
		bytes += (chunk as Buffer).length;
	}

	t.true(serverFinished);
	// A lower bound: a slow machine only makes the body take longer.
	t.true(performance.now() - started >= 900);
	t.true(chunks >= 8, `${chunks} chunks`);
	t.is(bytes, Number(response.headers['content-length']));
});

test('unknown paths get 404 and are logged as unknown', async t => {
	const {origin} = (fleet.origins[0]!);
	t.is((await get(`${origin}/favicon.ico`)).status, 404);
	t.is((await get(`${origin}/s/195/nonsense`)).status, 404);
	t.deepEqual(logged(fleet, 195), ['unknown']);
});

test('connectionClose sends Connection: close', async t => {
	const response = await get(urlOf(closingFleet, 200, 'ok'));
	t.is(response.status, 200);
	t.is(response.headers.connection, 'close');
});

test('sites() spreads over every origin of the scheme and is deterministic', t => {
	const sites = fleet.sites({count: 1000});
	t.deepEqual(fleet.sites({count: 1000}), sites);
	const origins = new Set(sites.map(site => new URL(site.url).origin));
	t.is(origins.size, 6);
	t.true([...origins].every(origin => /^http:\/\/127\.0\.1\.[1-3]:\d+$/.test(origin)));
	const count = (kind: FleetKind) => sites.filter(site => site.kind === kind).length;
	t.is(count('hang'), 10);
	t.is(count('reset'), 10);
	t.is(count('error'), 20);
	t.is(count('redirect'), 10);
	t.true(count('ok') > 850);
	for (const site of sites) {
		t.true(site.url.endsWith(`/s/${site.fleetId}/${site.kind}`));
		t.true(site.intervalSeconds >= 5 && site.intervalSeconds <= 300);
		t.is(site.regex, site.kind === 'match' || site.kind === 'miss' ? fleetRegex : undefined);
	}

	const secure = fleet.sites({count: 12, scheme: 'https', mix: {ok: 1}, intervalSeconds: [10, 20]});
	t.true(secure.every(site => site.url.startsWith('https://') && site.kind === 'ok'));
	t.true(secure.every(site => site.intervalSeconds >= 10 && site.intervalSeconds <= 20));
	t.throws(() => closingFleet.sites({count: 1, scheme: 'https'}));
});

test('demoSites() has every kind and short intervals', t => {
	const sites = demoSites(fleet);
	t.is(sites.length, 40);
	t.deepEqual([...new Set(sites.map(site => site.kind))].sort(), [...fleetKinds].sort());
	t.true(sites.every(site => site.intervalSeconds >= 5 && site.intervalSeconds <= 30));
});

test('writeCsv writes the predecessor\'s format with explicit schemes', async t => {
	const path = join(temporary, 'sites.csv');
	const sites = fleet.sites({count: 200});
	await fleet.writeCsv(path, sites);
	const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
	t.is(lines.length, 200);
	for (const line of lines) {
		t.regex(line, /^http:\/\/127\.0\.1\.[1-3]:\d+\/s\/\d+\/[a-z]+,\d+(,"webmon fleet ok")?$/);
	}

	t.true(lines.some(line => line.endsWith(',"webmon fleet ok"')));
});

test('close() returns promptly with hanging clients attached, and flushes the log file', async t => {
	const logFile = join(temporary, 'requests.csv');
	const small = await startFleet({addresses: 2, portsPerAddress: 1, https: true, logFile});
	const local = new Agent({connect: {ca: await readFile(fleetTlsPaths.ca)}});
	try {
		t.is((await request(urlOf(small, 7, 'ok'), {dispatcher: local})).statusCode, 200);
		const hanging = Array.from({length: 20}, async (_, index) =>
			request(urlOf(small, 300 + index, 'hang', index % 2 === 0 ? 'http' : 'https'), {dispatcher: local}));
		const settled = Promise.allSettled(hanging);
		await waitFor(() => small.requestCount() >= 21, 60_000, {what: 'the 21 requests'});

		// Promptly means without waiting for the hanging clients: a close that waited would never end.
		t.not(await Promise.race([small.close(), delay(60_000, 'hung', {ref: false})]), 'hung', 'close() returned with hanging clients attached');
		t.true((await settled).every(result => result.status === 'rejected'));
		const lines = (await readFile(logFile, 'utf8')).trimEnd().split('\n');
		t.is(lines.length, 21);
		t.regex(lines[0]!, /^\d{13},7,ok$/);
		t.true(lines.slice(1).every(line => /^\d{13},3\d\d,hang$/.test(line)));
	} finally {
		await small.close();
		await local.close();
	}
});
