import type {ConnectionOptions} from 'node:tls';
import {PGlite} from '@electric-sql/pglite';
import {createPgDriverFactory} from '@slonik/pg-driver';
import {createPool, sql, type DatabasePool} from 'slonik';
import {DatabaseConfigError, DatabaseUnavailableError, WebmonError} from '../errors.js';
import {createPgliteDriverFactory} from './pglite-driver.js';
import {installStagedCluster, pgliteOptions} from './pglite-initdb.js';
import type {DataDirLock} from './pglite-lock.js';
import {PgliteSession} from './pglite-session.js';
import {preparePglite, type PreparedPglite} from './prepare-pglite.js';
import {
	configurationFault,
	describeConnectionFailure,
	isTlsRefusedByServer,
	sanitizedCause,
	splitPassword,
	tlsOptionsForSslMode,
} from './postgres-connection.js';
import {createTypeParsers} from './type-parsers.js';
import type {ConnectionSettingNames, DatabaseTarget} from './types.js';

/** An open database: a Slonik pool over PostgreSQL or over embedded PGlite. */
export type Database = {
	/** Which backend the pool talks to. */
	readonly kind: 'postgres' | 'pglite';
	/** The Slonik pool; the same API on both backends. */
	readonly pool: DatabasePool;
	/** `user@host:port/db` or the PGlite directory, for messages. Never contains a password. */
	readonly describe: string;
	/** Ends the pool (and closes PGlite and removes its lock). Idempotent. */
	close(): Promise<void>;
};

/** Tuning for `openDatabase`. */
export type OpenDatabaseOptions = {
	/** PostgreSQL only: ms to wait for a connection. Default 5,000. */
	readonly connectionTimeoutMs?: number;
	/** PostgreSQL only: most connections the pool opens. Default 4 (the writer needs one). */
	readonly maxPoolSize?: number;
	/** PGlite only: the target's directory, already prepared (`preparePglite`). */
	readonly prepared?: PreparedPglite;
};

/**
Opens the database a target names and checks it answers `SELECT 1`. When it cannot, throws a
one-line, password-free `DatabaseConfigError` naming the setting at fault when the settings are
wrong (see `configurationFault`), else `DatabaseUnavailableError`.
*/
export async function openDatabase(target: DatabaseTarget, options: OpenDatabaseOptions = {}): Promise<Database> {
	return target.kind === 'postgres'
		? openPostgres(target, options)
		: openPrepared(options.prepared ?? preparePglite(target));
}

type PostgresTarget = Extract<DatabaseTarget, {kind: 'postgres'}>;

/** For a target built without a config file or URL to point at (tests, tools). */
const genericSettingNames: ConnectionSettingNames = {
	user: 'the user name',
	password: 'the password',
	database: 'the database name',
	host: 'the host name',
};

async function openPostgres(target: PostgresTarget, options: OpenDatabaseOptions): Promise<Database> {
	const {uri, password} = splitPassword(target.uri, target.password);
	const tls = tlsOptionsForSslMode(target.sslMode, target.ssl);
	// `prefer`: TLS first, plain TCP only when the server says it has no TLS (not on other errors,
	// which would silently downgrade a connection whose certificate failed).
	const attempts: Array<ConnectionOptions | undefined> = target.sslMode === 'prefer' ? [tls, undefined] : [tls];

	let lastError: unknown;
	for (const [index, ssl] of attempts.entries()) {
		let pool: DatabasePool | undefined;
		try {
			pool = await createPool(uri, {
				driverFactory: createPgDriverFactory(),
				ssl,
				password,
				connectionTimeout: options.connectionTimeoutMs ?? 5000,
				maxPoolSize: options.maxPoolSize ?? 4,
				typeParsers: createTypeParsers(),
				// How long ending a connection may wait (Slonik's default is 5 s). A connection the
				// server reset (ECONNRESET) can make pg's end() never settle, so pool.end() would
				// hang for the whole grace period at exit after an outage.
				gracefulTerminationTimeout: 1000,
			});
			await pool.query(sql.unsafe`SELECT 1`);
			const opened = pool;
			return {
				kind: 'postgres',
				pool: opened,
				describe: target.describe,
				close: once(async () => opened.end()),
			};
		} catch (error) {
			lastError = error;
			await pool?.end().catch(() => undefined);
			const hasFallback = index < attempts.length - 1;
			if (!(hasFallback && isTlsRefusedByServer(error))) {
				break;
			}
		}
	}

	const reason = describeConnectionFailure(lastError, password);
	const cause = sanitizedCause(lastError, password);
	const fault = configurationFault(lastError);
	if (fault) {
		const names = fault.settings.map(setting => target.settings?.[setting] ?? genericSettingNames[setting]);
		throw new DatabaseConfigError(
			`cannot connect to PostgreSQL at ${target.describe}: ${reason} (${fault.code}); check ${names.join(' and ')}`,
			{cause},
		);
	}

	throw new DatabaseUnavailableError(`cannot connect to PostgreSQL at ${target.describe}: ${reason}`, {cause});
}

async function openPrepared(prepared: PreparedPglite): Promise<Database> {
	const {dataDir, lock} = prepared;
	try {
		if (await prepared.staged) {
			installStagedCluster(dataDir);
		}

		return await startPglite(dataDir, prepared.describe, lock);
	} catch (error) {
		// Created by this call, so nothing of value is inside: no half-built cluster stays behind.
		await prepared.discard();
		throw error instanceof WebmonError
			? error
			: new DatabaseUnavailableError(
				`cannot open PGlite database in ${dataDir}: ${(error as Error).message.split('\n', 1)[0]}`,
				{cause: error},
			);
	}
}

/** Opens the cluster and its pool, and ties the lock's release to closing. */
async function startPglite(dataDir: string, describe: string, lock: DataDirLock): Promise<Database> {
	let pglite: PGlite | undefined;
	try {
		pglite = new PGlite(dataDir, pgliteOptions);
		await pglite.waitReady;
		// Storage faults (a full disk) close the instance; the session reopens the directory later.
		const session = new PgliteSession(dataDir, pglite);
		const pool = await createPool('postgres://pglite/postgres', {
			driverFactory: createPgliteDriverFactory(session),
			// One session underneath: more connections would only queue on the session lock.
			maxPoolSize: 1,
			typeParsers: createTypeParsers(),
			// Statement and idle-in-transaction timeouts need a server that can interrupt a query;
			// PGlite runs queries synchronously in this thread.
			statementTimeout: 'DISABLE_TIMEOUT',
			idleInTransactionSessionTimeout: 'DISABLE_TIMEOUT',
		});
		await pool.query(sql.unsafe`SELECT 1`);
		return {
			kind: 'pglite',
			pool,
			describe,
			close: once(async () => {
				try {
					await pool.end();
				} finally {
					try {
						await session.close();
					} finally {
						lock.release();
					}
				}
			}),
		};
	} catch (error) {
		await pglite?.close().catch(() => undefined);
		throw error;
	}
}

function once(action: () => Promise<void>): () => Promise<void> {
	let done: Promise<void> | undefined;
	return async () => {
		done ??= action();
		return done;
	};
}
