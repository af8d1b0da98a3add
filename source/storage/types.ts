import type {ConnectionOptions} from 'node:tls';

/** The asyncpg `sslmode` values the predecessor's `db_ssl` accepts. */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** A connection setting a configuration error can be blamed on. */
export type ConnectionSetting = 'user' | 'password' | 'database' | 'host';

/**
How messages name each setting where the user wrote it, e.g. `db_pass in secrets/db.json` or
`the database name "nope" in DATABASE_URL`. Never holds the password itself.
*/
export type ConnectionSettingNames = Readonly<Record<ConnectionSetting, string>>;

/** Where results go: a PostgreSQL server, or embedded PGlite in a directory. */
export type DatabaseTarget =
	| {
		readonly kind: 'postgres';
		/** Connection URI WITHOUT the password (safe to log only through `describe`). */
		readonly uri: string;
		/** Kept apart from `uri` so it can never leak into a message. */
		readonly password?: string | undefined;
		readonly sslMode: SslMode;
		/** TLS options derived from sslMode (undefined = no TLS). */
		readonly ssl?: ConnectionOptions | undefined;
		/** `user@host:port/db`, for messages. Never contains the password. */
		readonly describe: string;
		/** Names of the settings for configuration errors; generic names when absent. */
		readonly settings?: ConnectionSettingNames | undefined;
	}
	| {
		readonly kind: 'pglite';
		/** Data directory of the embedded database. */
		readonly dataDir: string;
		readonly describe: string;
	};
