import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

/**
The fleet's committed TLS files (test/fixtures/tls/fleet, made by its generate.sh): a CA whose key
was thrown away and one server certificate for 127.0.0.1, 127.0.1.1-127.0.1.254 and localhost.
Both source/bench and dist/bench sit two levels below the package root, so one relative URL
finds them from the TypeScript sources and from the build.
*/
const folder = new URL('../../test/fixtures/tls/fleet/', import.meta.url);

/** Absolute paths of the fleet's CA certificate, server certificate and server key. */
export const fleetTlsPaths = {
	/** Trust this to trust the fleet: `NODE_EXTRA_CA_CERTS=<ca>` or undici's `connect: {ca}`. */
	ca: fileURLToPath(new URL('ca.pem', folder)),
	cert: fileURLToPath(new URL('cert.pem', folder)),
	key: fileURLToPath(new URL('key.pem', folder)),
} as const;

/** PEM text of the fleet's server certificate and key, and its CA. */
export type FleetTls = {
	readonly ca: string;
	readonly cert: string;
	readonly key: string;
};

/** Reads the committed TLS files. */
export function loadFleetTls(): FleetTls {
	return {
		ca: readFileSync(fleetTlsPaths.ca, 'utf8'),
		cert: readFileSync(fleetTlsPaths.cert, 'utf8'),
		key: readFileSync(fleetTlsPaths.key, 'utf8'),
	};
}
