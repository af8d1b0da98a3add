import type {Socket} from 'node:net';
import {buildConnector} from 'undici';

/**
Undici's connector (`buildConnector`) with TLS sessions that survive garbage collection.

Undici 8 caches TLS sessions for resumption, but only through `WeakRef`s: nothing else holds the
session buffers, so the first garbage collection empties the cache. A health checker returns to a
host every 5-300 s, long after a collection, and would pay a full handshake every time (measured on
loopback: no resumption at all once `gc()` has run between checks). Holding the same buffers here
strongly, in a bounded map, keeps undici's weak entries alive without replacing its logic.
*/
export function createSessionKeepingConnector(options: buildConnector.BuildOptions & {maxCachedSessions: number}): buildConnector.connector {
	const connect = buildConnector(options);
	const sessions = new Map<string, Buffer>();
	const maxSessions = options.maxCachedSessions;

	return (connectOptions, callback) => {
		// Undici returns the socket although its type says void.
		const socket = (connect as unknown as (...parameters: Parameters<buildConnector.connector>) => Socket | undefined)(connectOptions, callback);
		if (maxSessions === 0 || connectOptions.protocol !== 'https:' || !socket) {
			return;
		}

		// The key undici's own cache uses, so one host keeps one session here too.
		const key = connectOptions.servername || connectOptions.hostname;
		socket.on('session', (session: Buffer) => {
			sessions.delete(key);
			if (sessions.size >= maxSessions) {
				const oldest = sessions.keys().next();
				if (!oldest.done) {
					sessions.delete(oldest.value);
				}
			}

			sessions.set(key, session);
		});
	};
}
