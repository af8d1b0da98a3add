import {lookup as systemLookup, type LookupAddress, type LookupAllOptions} from 'node:dns';
import type {LookupFunction} from 'node:net';

/** The resolver a cache sits in front of: `dns.lookup` with `{all: true}`, or a stand-in. */
export type Resolve = (
	hostname: string,
	options: LookupAllOptions,
	callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** Options for `createCachedLookup`. */
export type CachedLookupOptions = {
	/** How long an answer is reused, ms. `dns.lookup` reports no TTL, so this is the TTL. Default 10,000. */
	readonly ttlMs?: number;
	/** How long a failure is reused, ms; 0 disables. Default 1,000. */
	readonly negativeTtlMs?: number;
	/** Most host names kept; the oldest entries go first. Default 100,000. */
	readonly maxEntries?: number;
	/** The underlying resolver. Default `dns.lookup`. */
	readonly resolve?: Resolve;
	/** Milliseconds on a monotonic clock, for the TTLs. Default `performance.now`; tests pass a fake one. */
	readonly now?: () => number;
};

type Entry = {
	readonly expiresAt: number;
	readonly error?: NodeJS.ErrnoException;
	readonly addresses?: LookupAddress[];
};

type Waiter = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/**
A caching `lookup` for `net.connect` / `tls.connect` (pass it as undici's `connect.lookup`).

Why not undici's `interceptors.dns`: it rewrites each request's origin to the resolved IP, so the
Agent pools connections per IP instead of per host. Thousands of sites behind one CDN address would
then share one pool of `connections` sockets, and alternate SNI names on it, which undici answers by
closing the connection ("servername changed"). It also picks one address per request, which drops
Node's happy-eyeballs fallback between IPv6 and IPv4. A lookup function keeps both.

Why cache at all: `dns.lookup` runs getaddrinfo on libuv's small thread pool, so a slow resolver
with many sites due at once queues every connect behind it.
*/
export function createCachedLookup(options: CachedLookupOptions = {}): LookupFunction {
	const ttlMs = options.ttlMs ?? 10_000;
	const negativeTtlMs = options.negativeTtlMs ?? 1000;
	const maxEntries = options.maxEntries ?? 100_000;
	const resolve: Resolve = options.resolve ?? systemLookup;
	const now = options.now ?? (() => performance.now());
	const entries = new Map<string, Entry>();
	const inFlight = new Map<string, Waiter[]>();

	const store = (key: string, entry: Entry) => {
		entries.delete(key);
		if (entries.size >= maxEntries) {
			const oldest = entries.keys().next();
			if (!oldest.done) {
				entries.delete(oldest.value);
			}
		}

		entries.set(key, entry);
	};

	const lookupAll = (hostname: string, family: number, hints: number | undefined, done: Waiter) => {
		const key = `${family}/${hostname}`;
		const entry = entries.get(key);
		if (entry && entry.expiresAt > now()) {
			// Net expects an asynchronous callback, as the real resolver gives.
			process.nextTick(done, entry.error ?? null, entry.addresses ?? []);
			return;
		}

		const waiters = inFlight.get(key);
		if (waiters) {
			waiters.push(done);
			return;
		}

		inFlight.set(key, [done]);
		const lookupOptions: LookupAllOptions = {all: true, family, ...(hints !== undefined && {hints})};
		resolve(hostname, lookupOptions, (error, addresses) => {
			const resolvedAt = now();
			if (error) {
				if (negativeTtlMs > 0) {
					store(key, {expiresAt: resolvedAt + negativeTtlMs, error});
				}
			} else {
				store(key, {expiresAt: resolvedAt + ttlMs, addresses});
			}

			const callbacks = inFlight.get(key) ?? [];
			inFlight.delete(key);
			for (const callback of callbacks) {
				callback(error, addresses);
			}
		});
	};

	const lookup = (hostname: string, lookupOptions: unknown, callback: unknown) => {
		const {family, hints, all} = normaliseOptions(lookupOptions);
		const reply = callback as (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
		lookupAll(hostname, family, hints, (error, addresses) => {
			if (error) {
				reply(error, all ? [] : '');
				return;
			}

			if (all) {
				reply(null, addresses);
				return;
			}

			const first = addresses[0];
			if (first) {
				reply(null, first.address, first.family);
			} else {
				reply(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {code: 'ENOTFOUND', hostname}), '');
			}
		});
	};

	return lookup;
}

function normaliseOptions(options: unknown): {family: number; hints: number | undefined; all: boolean} {
	if (typeof options === 'number') {
		return {family: options, hints: undefined, all: false};
	}

	const object = (typeof options === 'object' && options !== null ? options : {}) as {family?: unknown; hints?: unknown; all?: unknown};
	let family = 0;
	if (object.family === 4 || object.family === 'IPv4') {
		family = 4;
	} else if (object.family === 6 || object.family === 'IPv6') {
		family = 6;
	}

	return {family, hints: typeof object.hints === 'number' ? object.hints : undefined, all: object.all === true};
}
