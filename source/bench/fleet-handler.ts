import type {IncomingMessage, ServerResponse} from 'node:http';
import {Socket} from 'node:net';
import {performance} from 'node:perf_hooks';
import {promisify} from 'node:util';
import {gzip} from 'node:zlib';
import {matchBody, missBody, okBody, statusBody} from './fleet-bodies.js';
import {
	fleetKinds,
	kindCode,
	siteLatencyMs,
	siteSlowMs,
	siteTrickleStepMs,
	trickleChunks,
	unknownKindCode,
} from './fleet-kinds.js';
import type {FleetLogFile, FleetRequestLog} from './fleet-request-log.js';

/** The header of the reference loop's requests (see reference-loop-cli.ts), which the log leaves out. */
export const referenceHeader = 'x-bench-reference';

const gzipAsync = promisify(gzip);

/** What the request handler needs from the fleet. */
export type FleetHandlerOptions = {
	readonly log: FleetRequestLog;
	readonly logFile?: FleetLogFile | undefined;
	/** Send `Connection: close` on every response. */
	readonly connectionClose: boolean;
};

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const htmlType = 'text/html; charset=utf-8';
const largestId = 2_147_483_647;

// Compressed pages are cached because gzip costs more than serving the page; the cap keeps a
// 100,000-site fleet from holding a compressed copy of every page.
const gzipCacheLimit = 4096;
const gzipCache = new Map<number, Promise<Buffer>>();

async function gzippedBody(id: number): Promise<Buffer> {
	let body = gzipCache.get(id);
	if (!body) {
		if (gzipCache.size >= gzipCacheLimit) {
			gzipCache.delete(gzipCache.keys().next().value!);
		}

		body = gzipAsync(okBody(id));
		gzipCache.set(id, body);
	}

	return body;
}

function send(
	response: ServerResponse,
	status: number,
	body: Buffer,
	headers?: Record<string, string>,
): void {
	if (response.destroyed) {
		return;
	}

	response.writeHead(status, {...headers, 'content-type': htmlType, 'content-length': body.length});
	response.end(body);
}

/** Runs `action` after `ms`, unless the response closes first (client gone, or fleet closing). */
function later(response: ServerResponse, ms: number, action: () => void): void {
	const timer = setTimeout(action, ms);
	response.once('close', () => {
		clearTimeout(timer);
	});
}

/**
Ends the connection with a TCP RST, as a crashing server or a middlebox does. A TLS socket has no
TCP handle of its own, so its underlying socket is reset instead.
*/
function reset(socket: Socket): void {
	const tcp = (socket as Socket & {_parent?: unknown})._parent;
	const target = tcp instanceof Socket ? tcp : socket;
	try {
		target.resetAndDestroy();
	} catch {
		// No TCP handle to reset (already closed, or an unusual transport): closing is the next best.
		socket.destroy();
	}
}

function trickle(response: ServerResponse, id: number): void {
	const body = okBody(id);
	const piece = Math.ceil(body.length / trickleChunks);
	response.writeHead(200, {'content-type': htmlType, 'content-length': body.length});
	// Headers go out at once: the point is a response that starts promptly and then stalls.
	response.flushHeaders();
	let sent = 0;
	const timer = setInterval(() => {
		const next = body.subarray(sent, sent + piece);
		sent += next.length;
		if (sent >= body.length) {
			clearInterval(timer);
			response.end(next);
		} else {
			response.write(next);
		}
	}, siteTrickleStepMs(id));
	response.once('close', () => {
		clearInterval(timer);
	});
}

function respond(request: IncomingMessage, response: ServerResponse, id: number, code: number): void {
	const kind = fleetKinds[code];
	const latency = siteLatencyMs(id);
	switch (kind) {
		case 'ok': {
			later(response, latency, () => send(response, 200, okBody(id)));
			return;
		}

		case 'slow': {
			later(response, siteSlowMs(id), () => send(response, 200, okBody(id)));
			return;
		}

		case 'error': {
			later(response, latency, () => send(response, 500, statusBody(id, 500)));
			return;
		}

		case 'notfound': {
			later(response, latency, () => send(response, 404, statusBody(id, 404)));
			return;
		}

		case 'redirect': {
			// Relative, as many servers send it; the target is the same site's `ok` page.
			later(response, latency, () => send(response, 302, statusBody(id, 302), {location: `/s/${id}/ok`}));
			return;
		}

		case 'hang': {
			// Never answer; the socket stays open until the client gives up or the fleet closes.
			return;
		}

		case 'reset': {
			reset(request.socket);
			return;
		}

		case 'match': {
			later(response, latency, () => send(response, 200, matchBody(id)));
			return;
		}

		case 'miss': {
			later(response, latency, () => send(response, 200, missBody(id)));
			return;
		}

		case 'gzip': {
			// Always compressed, whatever Accept-Encoding says: the kind exists to test decompression.
			later(response, latency, () => {
				gzippedBody(id).then(
					body => send(response, 200, body, {'content-encoding': 'gzip', vary: 'Accept-Encoding'}),
					() => send(response, 500, statusBody(id, 500)),
				);
			});
			return;
		}

		case 'trickle': {
			trickle(response, id);
			return;
		}

		case undefined: {
			send(response, 404, statusBody(id, 404));
		}
	}
}

/**
The fleet's request handler: records the request, then behaves as `/s/<id>/<kind>` says.
Any other path gets a 404 and is logged with site id -1 (or its id) and kind `unknown`.
*/
export function createFleetHandler(options: FleetHandlerOptions): Handler {
	const {log, logFile, connectionClose} = options;
	return (request, response) => {
		const epochMs = Date.now();
		const monotonicMs = performance.now();
		const url = request.url ?? '';
		let id = -1;
		let code = unknownKindCode;
		// Hand-parsed: `new URL()` per request would be the handler's biggest cost.
		if (url.startsWith('/s/')) {
			const slash = url.indexOf('/', 3);
			const parsed = slash > 3 ? Number(url.slice(3, slash)) : NaN;
			if (Number.isSafeInteger(parsed) && parsed >= 0 && parsed <= largestId) {
				id = parsed;
				const query = url.indexOf('?', slash);
				code = kindCode(url.slice(slash + 1, query === -1 ? undefined : query));
			}
		}

		// The reference loop's requests (reference-loop-cli.ts) are served but not the CLI's: not logged.
		if (request.headers[referenceHeader] === undefined) {
			log.record(epochMs, monotonicMs, id, code);
			logFile?.write(epochMs, id, fleetKinds[code] ?? 'unknown');
		}

		if (connectionClose) {
			// Node closes the socket after a response that carries this header.
			response.setHeader('connection', 'close');
		}

		respond(request, response, id, code);
	};
}
