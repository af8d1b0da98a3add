import {createServer as createHttpServer, type Server as HttpServer} from 'node:http';
import {createServer as createHttpsServer} from 'node:https';
import type {Socket} from 'node:net';
import {createFleetHandler} from './fleet-handler.js';
import {FleetLogFile, FleetRequestLog, type FleetLogView} from './fleet-request-log.js';
import {generateSites, writeSitesCsv, type FleetSite, type FleetSitesOptions} from './fleet-sites.js';
import {fleetTlsPaths, loadFleetTls} from './fleet-tls.js';

/**
A fleet of fake websites on loopback addresses, for the demo and the benchmark. Every server
binds 127.0.1.x (never anything outside 127.0.0.0/8), and every site's behaviour is named in its
URL path, `/s/<id>/<kind>`, so a plain site list says what each site will do.
*/

/** How to start a fleet. */
export type FleetOptions = {
	/** Loopback addresses to listen on: 127.0.1.1 to 127.0.1.N (1-254). Default: 8. */
	readonly addresses?: number;
	/** Ports (chosen by the OS) per address and scheme. Default: 4. */
	readonly portsPerAddress?: number;
	/** Also serve HTTPS, on ports of its own, with the committed fleet certificate. Default: false. */
	readonly https?: boolean;
	/** Send `Connection: close` on every response, as most real sites look to a checker. Default: false. */
	readonly connectionClose?: boolean;
	/** Idle keep-alive window, ms (Node's default is 5 s; nginx's 75 s). Default: 5000. */
	readonly keepAliveTimeoutMs?: number;
	/** Time a client may take to send its request headers, ms. Default: 30000. */
	readonly headersTimeoutMs?: number;
	/** Keep every request in memory for `log()`. Default: true (~21 bytes a request). */
	readonly keepLog?: boolean;
	/** Also stream `<epochMs>,<siteId>,<kind>` lines to this file, for another process to read. */
	readonly logFile?: string;
};

/** One listening server, e.g. `http://127.0.1.3:40321`. */
export type FleetOrigin = {
	readonly scheme: 'http' | 'https';
	readonly host: string;
	readonly port: number;
	/** `scheme://host:port`, no trailing slash. */
	readonly origin: string;
};

/** A running fleet. */
export type Fleet = {
	/** Every server, HTTP first. */
	readonly origins: readonly FleetOrigin[];
	/** CA certificate to trust for the HTTPS origins (`NODE_EXTRA_CA_CERTS`); undefined without HTTPS. */
	readonly caPath: string | undefined;
	/** A deterministic site list spread over this fleet's origins. */
	sites(options: FleetSitesOptions): FleetSite[];
	/** Writes `sites` in the predecessor's CSV format (`http://127.0.1.2:40123/s/12/ok,37`). */
	writeCsv(path: string, sites: readonly FleetSite[]): Promise<void>;
	/** Requests received so far, as columns. */
	log(): FleetLogView;
	/** Forgets the in-memory log (the count restarts too); the log file keeps its lines. */
	clearLog(): void;
	/** Requests received so far (since the last `clearLog()`). */
	requestCount(): number;
	/** Stops listening, destroys every socket (hanging ones too) and flushes the log file. */
	close(): Promise<void>;
};

const baseAddress = '127.0.1.';
const fallbackHost = '127.0.0.1';
// Kernels cap the backlog at somaxconn; asking for more lets a burst of connects queue instead of
// being refused where the kernel allows it.
const backlog = 65_535;

type Listener = {server: HttpServer; scheme: 'http' | 'https'};

async function listen(server: HttpServer, host: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const onError = (error: Error) => {
			reject(error);
		};

		server.once('error', onError);
		server.listen({host, port: 0, backlog}, () => {
			server.off('error', onError);
			const address = server.address();
			resolve(typeof address === 'object' && address ? address.port : 0);
		});
	});
}

function positiveInteger(value: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
	if (!Number.isSafeInteger(value) || value < 1 || value > max) {
		throw new RangeError(`${name} must be a whole number from 1 to ${max}, got ${value}`);
	}

	return value;
}

/** Starts the fleet; resolves once every server listens. */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
	const addressCount = positiveInteger(options.addresses ?? 8, 'addresses', 254);
	const portsPerAddress = positiveInteger(options.portsPerAddress ?? 4, 'portsPerAddress');
	const log = new FleetRequestLog(options.keepLog ?? true);
	const logFile = options.logFile === undefined ? undefined : new FleetLogFile(options.logFile);
	const handler = createFleetHandler({log, logFile, connectionClose: options.connectionClose ?? false});
	const tls = options.https ? loadFleetTls() : undefined;
	const sockets = new Set<Socket>();
	const listeners: Listener[] = [];
	const origins: FleetOrigin[] = [];
	const serverOptions = {
		keepAliveTimeout: options.keepAliveTimeoutMs ?? 5000,
		headersTimeout: options.headersTimeoutMs ?? 30_000,
		// Measured from the request's start to its last byte in; never cuts a `hang` response.
		requestTimeout: 0,
	};

	const make = (scheme: 'http' | 'https'): HttpServer => {
		const server: HttpServer = tls && scheme === 'https'
			? createHttpsServer({...serverOptions, cert: tls.cert, key: tls.key}, handler)
			: createHttpServer(serverOptions, handler);
		// Tracked by hand: `closeAllConnections()` misses TLS sockets still in their handshake.
		server.on('connection', (socket: Socket) => {
			sockets.add(socket);
			socket.once('close', () => sockets.delete(socket));
		});
		// Clients that vanish mid-request are routine for a fleet under a benchmark; no 400 reply.
		server.on('clientError', (_error, socket: Socket) => {
			socket.destroy();
		});
		// Accept failures (EMFILE under a huge benchmark) must not crash the fleet; they show up
		// to the client as refused or timed-out connects, which is what a real overload looks like.
		server.on('error', () => undefined);
		return server;
	};

	const schemes: Array<'http' | 'https'> = tls ? ['http', 'https'] : ['http'];
	// Linux routes all of 127.0.0.0/8 to loopback; macOS has only 127.0.0.1 unless aliased. There the
	// fleet keeps its origin count with more ports on 127.0.0.1 rather than refusing to start.
	let hosts = Array.from({length: addressCount}, (_, index) => `${baseAddress}${index + 1}`);
	let portsPerHost = portsPerAddress;
	const open = async (scheme: 'http' | 'https', host: string) => {
		const server = make(scheme);
		try {
			const port = await listen(server, host);
			listeners.push({server, scheme});
			origins.push({scheme, host, port, origin: `${scheme}://${host}:${port}`});
		} catch (error) {
			server.close();
			throw error;
		}
	};

	try {
		try {
			await open(schemes[0]!, hosts[0]!);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') {
				throw error;
			}

			hosts = [fallbackHost];
			portsPerHost = addressCount * portsPerAddress;
			await open(schemes[0]!, fallbackHost);
		}

		const plan = schemes.flatMap(scheme =>
			hosts.flatMap(host => Array.from({length: portsPerHost}, () => [scheme, host] as const)));
		// The first server of the plan is already open.
		for (const [scheme, host] of plan.slice(1)) {
			await open(scheme, host);
		}
	} catch (error) {
		await Promise.all(listeners.map(async ({server}) => new Promise(resolve => {
			server.close(resolve);
		})));
		await logFile?.close().catch(() => undefined);
		throw new Error(`the fleet could not listen on ${hosts.join(', ')}`, {cause: error});
	}

	let closing: Promise<void> | undefined;
	const originsOf = (scheme: 'http' | 'https') => origins.filter(o => o.scheme === scheme).map(o => o.origin);

	return {
		origins,
		caPath: tls ? fleetTlsPaths.ca : undefined,
		sites(siteOptions) {
			return generateSites(originsOf(siteOptions.scheme ?? 'http'), siteOptions);
		},
		writeCsv: writeSitesCsv,
		log: () => log.view(),
		clearLog() {
			log.clear();
		},
		requestCount: () => log.length,
		async close() {
			closing ??= (async () => {
				const closed = listeners.map(async ({server}) => new Promise<void>(resolve => {
					server.close(() => {
						resolve();
					});
				}));
				for (const socket of sockets) {
					socket.destroy();
				}

				await Promise.all(closed);
				await logFile?.close();
			})();
			return closing;
		},
	};
}

/** The demo's site list: 40 sites, every kind at least three times, intervals of 5-30 s. */
export function demoSites(fleet: Fleet, scheme: 'http' | 'https' = 'http'): FleetSite[] {
	return fleet.sites({count: 40, mix: 'demo', intervalSeconds: [5, 30], scheme});
}

export {fleetTlsPaths} from './fleet-tls.js';
export {fleetKinds, fleetPhrase, fleetRegex, kindName, type FleetKind} from './fleet-kinds.js';
export {fleetMixes, sitesCsv, writeSitesCsv, type FleetMix, type FleetMixName, type FleetSite, type FleetSitesOptions} from './fleet-sites.js';
export type {FleetLogView, FleetRequestRecord} from './fleet-request-log.js';
