import type net from 'node:net';
import test from 'ava';
import {failureStatus, regexMatchStatus, type ProbeOutcome} from '../../source/engine/types.js';
import {createProber, type ProberOptions} from '../../source/probe/index.js';
import {leavesQueueWhenStopped} from '../../source/probe/exchange.js';
import {assertWellFormed, closedPort, httpServer, tcpServer} from './loopback.js';

const short: ProberOptions = {connectTimeoutMs: 300, headersTimeoutMs: 300, bodyTimeoutMs: 300, totalTimeoutMs: 3000};

/** Probes `url` with `options` and checks the invariants every outcome keeps. */
async function probeOnce(t: Parameters<typeof assertWellFormed>[0], url: string, options: ProberOptions = short, timeoutMs?: number): Promise<ProbeOutcome> {
	const prober = createProber(options);
	try {
		const outcome = await prober.probe({url, regex: 'anything', timeoutMs});
		assertWellFormed(t, outcome);
		t.is(outcome.regexMatchStatus, regexMatchStatus.notChecked, 'no body, no regex verdict');
		return outcome;
	} finally {
		await prober.close();
	}
}

/** Answers each request's first bytes with `write`, for responses an HTTP server would not send. */
async function rawServer(write: (socket: net.Socket) => void) {
	return tcpServer(socket => {
		socket.once('data', () => {
			write(socket);
		});
	});
}

test('a closed port is refused', async t => {
	const port = await closedPort();
	const outcome = await probeOnce(t, `http://127.0.0.1:${port}/`);
	t.like(outcome, {httpStatusCode: failureStatus.other, errorKind: 'refused'});
	t.regex(outcome.errorMessage ?? '', /ECONNREFUSED/);
});

test('a connection reset by the server is reset', async t => {
	const server = await rawServer(socket => {
		socket.resetAndDestroy();
	});
	try {
		t.like(await probeOnce(t, server.url()), {httpStatusCode: failureStatus.other, errorKind: 'reset'});
	} finally {
		await server.close();
	}
});

test('a connection closed before any response is closed', async t => {
	const server = await rawServer(socket => {
		socket.end();
	});
	try {
		t.like(await probeOnce(t, server.url()), {httpStatusCode: failureStatus.other, errorKind: 'closed'});
	} finally {
		await server.close();
	}
});

test('a connection closed in the middle of the body is closed', async t => {
	const server = await rawServer(socket => {
		socket.end('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nonly a part of it');
	});
	try {
		t.like(await probeOnce(t, server.url()), {httpStatusCode: failureStatus.other, errorKind: 'closed'});
	} finally {
		await server.close();
	}
});

test('a chunked body cut short is closed', async t => {
	const server = await rawServer(socket => {
		socket.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
	});
	try {
		t.like(await probeOnce(t, server.url()), {httpStatusCode: failureStatus.other, errorKind: 'closed'});
	} finally {
		await server.close();
	}
});

test('a server that never answers is a headers timeout', async t => {
	const server = await tcpServer(() => undefined);
	try {
		const outcome = await probeOnce(t, server.url());
		t.like(outcome, {httpStatusCode: failureStatus.timeout, errorKind: 'headers_timeout'});
	} finally {
		await server.close();
	}
});

test('a server that stalls after the headers is a body timeout', async t => {
	const server = await rawServer(socket => {
		socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nthe start');
	});
	try {
		t.like(await probeOnce(t, server.url()), {httpStatusCode: failureStatus.timeout, errorKind: 'body_timeout'});
	} finally {
		await server.close();
	}
});

test('a server that trickles forever hits the total deadline', async t => {
	const timers = new Set<NodeJS.Timeout>();
	const server = await httpServer((_request, response) => {
		response.write('x');
		const timer = setInterval(() => response.write('x'), 50);
		timers.add(timer);
		response.on('close', () => {
			clearInterval(timer);
		});
	});
	try {
		// Phase timeouts far away: however slow the machine, only the deadline can end these checks.
		const patient = {...short, headersTimeoutMs: 60_000, bodyTimeoutMs: 60_000};
		const outcome = await probeOnce(t, server.url(), {...patient, totalTimeoutMs: 600});
		t.like(outcome, {httpStatusCode: failureStatus.timeout, errorKind: 'timeout', errorMessage: 'no complete response within 600 ms'});

		// A shorter per-request deadline wins over the prober's.
		const perRequest = await probeOnce(t, server.url(), {...patient, totalTimeoutMs: 60_000}, 400);
		t.like(perRequest, {httpStatusCode: failureStatus.timeout, errorKind: 'timeout'});
		t.regex(perRequest.errorMessage ?? '', /400 ms/);
	} finally {
		for (const timer of timers) {
			clearInterval(timer);
		}

		await server.close();
	}
});

test('a TLS handshake that never completes is a connect timeout', async t => {
	// The TCP connection succeeds; the silent server never answers the ClientHello.
	const server = await tcpServer(() => undefined);
	try {
		const outcome = await probeOnce(t, `https://127.0.0.1:${server.port}/`);
		t.like(outcome, {httpStatusCode: failureStatus.timeout, errorKind: 'connect_timeout'});
	} finally {
		await server.close();
	}
});

const garbage = {
	'an invalid status line': 'HTTP/1.1 abc\r\n\r\n',
	'a header with a NUL byte': 'HTTP/1.1 200 OK\r\nx-broken: a\0b\r\ncontent-length: 0\r\n\r\n',
	'a header without a colon': 'HTTP/1.1 200 OK\r\nthis is not a header\r\ncontent-length: 0\r\n\r\n',
	'binary noise': '\0\u0001\u0002\u00FF not http at all\r\n\r\n',
	'an invalid content-length': 'HTTP/1.1 200 OK\r\ncontent-length: banana\r\n\r\n',
};

for (const [name, response] of Object.entries(garbage)) {
	test(`${name} is a bad response`, async t => {
		const server = await rawServer(socket => {
			socket.end(Buffer.from(response, 'latin1'));
		});
		try {
			const outcome = await probeOnce(t, server.url());
			t.like(outcome, {httpStatusCode: failureStatus.other, errorKind: 'bad_response'});
		} finally {
			await server.close();
		}
	});
}

test('a name that does not resolve fails with 530 dns', async t => {
	// The resolver stands in for getaddrinfo and answers as it does for an unknown name: even a lookup of
	// `.invalid` would send a query to the machine's resolver, and tests talk to 127.0.0.0/8 only.
	const asked: string[] = [];
	const outcome = await probeOnce(t, 'http://nosuchhost.invalid/', {
		...short,
		dns: {
			resolve(hostname, _options, callback) {
				asked.push(hostname);
				const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
					code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo',
				});
				setImmediate(callback, error, []);
			},
		},
	});
	t.deepEqual(asked, ['nosuchhost.invalid']);
	t.like(outcome, {httpStatusCode: failureStatus.dns, errorKind: 'dns'});
});

test('an abort (shutdown) ends the check as other/aborted, including one aborted before it started', async t => {
	const server = await tcpServer(() => undefined);
	const prober = createProber({...short, headersTimeoutMs: 10_000});
	try {
		const controller = new AbortController();
		setTimeout(() => {
			controller.abort();
		}, 100);
		const outcome = await prober.probe({url: server.url(), signal: controller.signal});
		assertWellFormed(t, outcome);
		// The abort ended it, not the 10 s headers timeout: that would say headers_timeout.
		t.like(outcome, {httpStatusCode: failureStatus.other, errorKind: 'other', errorMessage: 'aborted'});

		const early = await prober.probe({url: server.url(), signal: AbortSignal.abort()});
		t.like(early, {httpStatusCode: failureStatus.other, errorKind: 'other', errorMessage: 'aborted'});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('many failing checks at once all resolve', async t => {
	const port = await closedPort();
	const silent = await tcpServer(() => undefined);
	// Four connections per origin: the silent server's checks time out in two rounds.
	const prober = createProber({...short, totalTimeoutMs: 5000});
	try {
		const urls = Array.from({length: 16}, (_, index) => (index % 2 === 0 ? `http://127.0.0.1:${port}/${index}` : silent.url(`/${index}`)));
		const outcomes = await Promise.all(urls.map(async url => prober.probe({url})));
		t.deepEqual(
			new Set(outcomes.map(outcome => outcome.errorKind)),
			new Set(['refused', 'headers_timeout']),
		);
	} finally {
		await prober.close();
		await silent.close();
	}
});

test('a check stopped while its connection is still being made ends at its deadline, never sent', async t => {
	t.true(leavesQueueWhenStopped, 'undici still offers the hook that takes a stopped request out of its queue');
	// Accepts TCP and never answers the TLS handshake: the request waits in undici for its connection.
	const server = await tcpServer(() => undefined);
	const prober = createProber({connectTimeoutMs: 5000, totalTimeoutMs: 5000});
	try {
		const started = performance.now();
		const outcome = await prober.probe({url: server.url().replace('http:', 'https:'), timeoutMs: 300});
		t.like(outcome, {httpStatusCode: failureStatus.timeout, errorKind: 'timeout', sentAt: undefined});
		t.true(performance.now() - started < 2000, 'at the deadline, not the connect timeout');
	} finally {
		await prober.close();
		await server.close();
	}
});
