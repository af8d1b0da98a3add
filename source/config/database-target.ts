import {homedir} from 'node:os';
import {isAbsolute, join} from 'node:path';
import type {ConnectionOptions} from 'node:tls';
import {InputError} from '../errors.js';
import type {ConnectionSettingNames, DatabaseTarget, SslMode} from '../storage/types.js';
import {tlsOptionsForSslMode} from '../storage/postgres-connection.js';

/** Every `sslmode` libpq and the predecessor's `db_ssl` accept, weakest first. */
export const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const satisfies readonly SslMode[];

/** Libpq's default when no sslmode is given. */
export const defaultSslMode: SslMode = 'prefer';

/** Whether `value` is one of `sslModes`. */
export function isSslMode(value: unknown): value is SslMode {
	return typeof value === 'string' && (sslModes as readonly string[]).includes(value);
}

// Verify-ca trusts any host name on a certificate from a trusted CA; one shared function keeps the
// options of two targets comparable.
/**
TLS options for an sslmode, as libpq means them: `prefer`/`require` encrypt without checking the
certificate, `verify-ca` checks the chain but not the host name, `verify-full` checks both.
`disable` and `allow` start without TLS (undefined). One mapping, shared with the storage layer.
*/
export function sslOptionsFor(mode: SslMode): ConnectionOptions | undefined {
	return tlsOptionsForSslMode(mode);
}

/** The parts of a PostgreSQL connection, decoded (no percent-encoding). */
export type PostgresParts = {
	readonly user?: string | undefined;
	readonly password?: string | undefined;
	readonly host: string;
	readonly port: number;
	readonly database?: string | undefined;
	readonly sslMode: SslMode;
	/** Extra URI query parameters to pass through (e.g. `application_name`). Never `sslmode`. */
	readonly params?: URLSearchParams | undefined;
	/** Where the user wrote each setting, for configuration errors. */
	readonly settings?: ConnectionSettingNames | undefined;
};

/**
Builds a postgres target whose `uri` and `describe` never contain the password: it travels only in
`password`, so logging either string cannot leak it.
*/
export function postgresTarget(parts: PostgresParts): DatabaseTarget {
	// An IPv6 literal needs brackets in a URI; a socket directory (`/run/postgresql`) is
	// percent-encoded, which node-postgres and slonik decode back into a path.
	const host = parts.host.includes(':') && !parts.host.startsWith('[')
		? `[${parts.host}]`
		: (parts.host.startsWith('[') ? parts.host : encodeURIComponent(parts.host));
	const user = parts.user ? encodeURIComponent(parts.user) : '';
	const database = parts.database ? encodeURIComponent(parts.database) : '';
	const query = parts.params && parts.params.size > 0 ? `?${parts.params.toString()}` : '';
	const userAt = user ? `${user}@` : '';
	return {
		kind: 'postgres',
		uri: `postgres://${userAt}${host}:${parts.port}/${database}${query}`,
		password: parts.password ? parts.password : undefined,
		sslMode: parts.sslMode,
		ssl: sslOptionsFor(parts.sslMode),
		describe: `${parts.user ? `${parts.user}@` : ''}${parts.host}:${parts.port}/${parts.database ?? ''}`,
		settings: parts.settings,
	};
}

/**
How a configuration error names the settings of `source` (`db_name "nope" in secrets/db.json`,
`the password in DATABASE_URL`): the field, its value unless it is the password, and where it was
written. `fields` are the names the source gives them.
*/
export function settingNames(
	source: string,
	fields: Readonly<Record<keyof ConnectionSettingNames, string>>,
	values: {readonly user?: string | undefined; readonly password?: string | undefined; readonly database?: string | undefined; readonly host: string},
): ConnectionSettingNames {
	const name = (field: string, value: string | undefined, show: boolean) => {
		if (value === undefined || value === '') {
			return `${field} in ${source} (not set)`;
		}

		return show ? `${field} ${JSON.stringify(value)} in ${source}` : `${field} in ${source}`;
	};

	return {
		user: name(fields.user, values.user, true),
		password: name(fields.password, values.password, false),
		database: name(fields.database, values.database, true),
		host: name(fields.host, values.host, true),
	};
}

/**
Reads a `DATABASE_URL` (`postgres://user:password@host:port/db?sslmode=require`, or `postgresql://`).
The password is percent-decoded and moved out of the URI; `sslmode` (default `prefer`) becomes
`sslMode`/`ssl` and is removed from the URI; other query parameters are kept. Missing host means
`localhost`, missing port 5432.

@throws {InputError} `DATABASE_URL: …`. The message never quotes the URL, which may hold a password.
*/
export function targetFromDatabaseUrl(databaseUrl: string): DatabaseTarget {
	const fail = (reason: string) => new InputError(`DATABASE_URL: ${reason}`);
	let url: URL;
	try {
		url = new URL(databaseUrl);
	} catch {
		// No cause: the TypeError's `input` property holds the whole URL, password included.
		throw fail('not a valid URL (percent-encode special characters in the password, e.g. @ as %40)');
	}

	if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
		throw fail(`unsupported scheme "${url.protocol}" (expected postgres:// or postgresql://)`);
	}

	const parameters = new URLSearchParams(url.search);
	const sslMode = parameters.get('sslmode') ?? defaultSslMode;
	if (!isSslMode(sslMode)) {
		throw fail(`sslmode ${JSON.stringify(sslMode)} is not one of ${sslModes.join(', ')}`);
	}

	parameters.delete('sslmode');
	const decode = (field: string, value: string) => {
		try {
			return decodeURIComponent(value);
		} catch {
			throw fail(`${field} is not validly percent-encoded`);
		}
	};

	const port = url.port === '' ? 5432 : Number(url.port);
	if (port < 1 || port > 65_535) {
		throw fail(`port ${port} is out of range (1-65535)`);
	}

	const hostname = url.hostname.startsWith('[') ? url.hostname : decode('host', url.hostname);
	const parts = {
		user: url.username ? decode('user', url.username) : undefined,
		password: url.password ? decode('password', url.password) : undefined,
		host: hostname || 'localhost',
		database: url.pathname.length > 1 ? decode('database name', url.pathname.slice(1)) : undefined,
	};
	return postgresTarget({
		...parts,
		port,
		sslMode,
		params: parameters,
		settings: settingNames('DATABASE_URL', {user: 'the user', password: 'the password', database: 'the database name', host: 'the host'}, parts),
	});
}

/** An embedded PGlite database stored in `dataDir`. */
export function pgliteTarget(dataDir: string): DatabaseTarget {
	return {kind: 'pglite', dataDir, describe: `PGlite at ${dataDir}`};
}

/**
Where PGlite keeps its data when the user names no database: `$XDG_DATA_HOME/webmon-tui`, else
`~/.local/share/webmon-tui`. A relative `XDG_DATA_HOME` is ignored, as the XDG spec requires.
*/
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
	const dataHome = env.XDG_DATA_HOME;
	if (dataHome && isAbsolute(dataHome)) {
		return join(dataHome, 'webmon-tui');
	}

	return join(env.HOME || homedir(), '.local', 'share', 'webmon-tui');
}
