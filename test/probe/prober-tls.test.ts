import type {TLSSocket} from 'node:tls';
import v8 from 'node:v8';
import vm from 'node:vm';
import test from 'ava';
import {failureStatus, regexMatchStatus} from '../../source/engine/types.js';
import {createProber, type Resolve} from '../../source/probe/index.js';
import {waitFor} from '../helpers/wait-for.js';
import {assertWellFormed, httpServer, httpsServer, testTls, type Loopback} from './loopback.js';

/** Resolves every name to loopback, so a name the certificate does not cover can be tried offline. */
const everythingIsLoopback: Resolve = (_hostname, _options, callback) => {
	callback(null, [{address: '127.0.0.1', family: 4}]);
};

// The ava config does not pass --expose-gc; this is Node's documented way to reach `gc` anyway.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Waits until `server` has no connection open (the client's socket is gone too), then runs a full collection. */
async function collectGarbage(server: Loopback): Promise<void> {
	await waitFor(() => server.open() === 0, 60_000, {what: 'the connection closed'});
	gc();
}

test('a certificate nobody trusts is a tls failure', async t => {
	const server = await httpsServer((_request, response) => {
		response.end('secret');
	});
	const prober = createProber();
	try {
		const outcome = await prober.probe({url: server.url(), regex: 'secret'});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: failureStatus.other, errorKind: 'tls', regexMatchStatus: regexMatchStatus.notChecked});
		t.regex(outcome.errorMessage ?? '', /self[ -]signed/i);
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a trusted certificate succeeds, by IP and by host name', async t => {
	const server = await httpsServer((request, response) => {
		response.end(`hello over ${(request.socket as TLSSocket).getProtocol()}`);
	});
	const prober = createProber({tls: {ca: testTls.cert}});
	try {
		const byIp = await prober.probe({url: server.url(), regex: 'hello over TLS'});
		assertWellFormed(t, byIp);
		t.like(byIp, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});

		const byName = await prober.probe({url: `https://localhost:${server.port}/`, regex: 'hello'});
		t.like(byName, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a certificate for another name is a tls failure', async t => {
	const server = await httpsServer((_request, response) => {
		response.end('hello');
	});
	const prober = createProber({tls: {ca: testTls.cert}, dns: {resolve: everythingIsLoopback}});
	try {
		const outcome = await prober.probe({url: `https://not-in-the-certificate.test:${server.port}/`});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: failureStatus.other, errorKind: 'tls'});
		t.regex(outcome.errorMessage ?? '', /not-in-the-certificate\.test/);
	} finally {
		await prober.close();
		await server.close();
	}
});

test('https to a plain HTTP server is a tls failure', async t => {
	const server = await httpServer((_request, response) => {
		response.end('plain');
	});
	const prober = createProber();
	try {
		const outcome = await prober.probe({url: `https://127.0.0.1:${server.port}/`});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: failureStatus.other, errorKind: 'tls'});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('reconnections resume the TLS session, even after garbage collection', async t => {
	const reused: boolean[] = [];
	const server = await httpsServer((request, response) => {
		reused.push((request.socket as TLSSocket).isSessionReused());
		// Closing after each response forces the next check to reconnect, as a real site often does.
		response.setHeader('connection', 'close');
		response.end('ok');
	});
	const prober = createProber({tls: {ca: testTls.cert}});
	try {
		for (let index = 0; index < 3; index++) {
			t.is((await prober.probe({url: server.url()})).httpStatusCode, 200);
			// Undici alone keeps sessions only through WeakRefs, so a collection used to lose them.
			await collectGarbage(server);
		}

		t.deepEqual(reused, [false, true, true]);
	} finally {
		await prober.close();
		await server.close();
	}
});
