import {once} from 'node:events';
import {readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type {ExecutionContext} from 'ava';
import type {ProbeOutcome} from '../../source/engine/types.js';
import {maxMessageLength} from '../../source/probe/index.js';

/** A server listening on 127.0.0.1 and an ephemeral port; `close` also ends open connections. */
export type Loopback = {
	readonly port: number;
	/** `http://127.0.0.1:<port><path>` (or https). */
	url(path?: string): string;
	/** Connections accepted so far. */
	readonly connections: () => number;
	/** Connections open now (a closed one has been closed by both ends). */
	readonly open: () => number;
	close(): Promise<void>;
};

const fixtures = new URL('../fixtures/tls/probe/', import.meta.url);

/** The probe tests' self-signed certificate (for localhost and 127.0.0.1) and its key. */
export const testTls = {
	cert: readFileSync(new URL('cert.pem', fixtures), 'utf8'),
	key: readFileSync(new URL('key.pem', fixtures), 'utf8'),
};

/** Starts `server` on loopback and tracks its sockets so that stalled ones cannot keep it open. */
export async function listen(server: net.Server, scheme = 'http'): Promise<Loopback> {
	const sockets = new Set<net.Socket>();
	let count = 0;
	server.on('connection', (socket: net.Socket) => {
		count++;
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		// A test server must never crash the test process on a client's reset.
		socket.on('error', () => undefined);
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const {port} = server.address() as net.AddressInfo;
	return {
		port,
		url: (path = '/') => `${scheme}://127.0.0.1:${port}${path}`,
		connections: () => count,
		open: () => sockets.size,
		async close() {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
		},
	};
}

/** An HTTP server on loopback. */
export async function httpServer(handler: http.RequestListener): Promise<Loopback> {
	return listen(http.createServer(handler));
}

/** An HTTPS server on loopback with the test certificate. */
export async function httpsServer(handler: http.RequestListener): Promise<Loopback> {
	return listen(https.createServer({...testTls}, handler), 'https');
}

/** A raw TCP server on loopback, for responses no HTTP server would send. */
export async function tcpServer(onConnection: (socket: net.Socket) => void): Promise<Loopback> {
	return listen(net.createServer(onConnection));
}

/** A port that was just listening and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
	const server = await tcpServer(() => undefined);
	await server.close();
	return server.port;
}

/** Checks what every outcome must satisfy, whatever went wrong. */
export function assertWellFormed(t: ExecutionContext, outcome: ProbeOutcome): void {
	t.true(Number.isInteger(outcome.httpStatusCode), 'status is an integer');
	t.true(Number.isFinite(outcome.responseTimeMs) && outcome.responseTimeMs >= 0, 'response time is a duration');
	t.true([0, 1, 2].includes(outcome.regexMatchStatus), 'regex status is 0, 1 or 2');
	if (outcome.errorMessage !== undefined) {
		t.false(outcome.errorMessage.includes('\0'), 'no NUL in the message');
		t.false(/[\u0000-\u001F]/.test(outcome.errorMessage), 'message is one line');
		t.true(outcome.errorMessage.length <= maxMessageLength, 'message is bounded');
		t.true(outcome.errorMessage.length > 0, 'message is not empty');
	}

	if (outcome.errorKind === undefined) {
		t.is(outcome.errorMessage, undefined);
	} else {
		t.not(outcome.errorMessage, undefined, 'a failure says why');
	}
}
