import type {ConnectionOptions} from 'node:tls';

/** The asyncpg `sslmode` values the predecessor's `db_ssl` accepts. */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

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
	}
	| {
		readonly kind: 'pglite';
		/** Data directory of the embedded database. */
		readonly dataDir: string;
		readonly describe: string;
	};
