import {randomBytes} from 'node:crypto';
import {mkdir, rm} from 'node:fs/promises';
import path from 'node:path';
import {sql} from 'slonik';
import {pgliteTarget, targetFromDatabaseUrl} from '../config/index.js';
import {countChecks, openDatabase} from '../storage/index.js';
import type {DatabaseTarget} from '../storage/types.js';

/** The backends a run can store into. */
export type BenchDatabaseKind = 'pglite' | 'postgres';

/** A fresh, empty database for one run, and how to point the CLI at it. */
export type BenchDatabase = {
	readonly kind: BenchDatabaseKind;
	/** Extra CLI flags (`--data-dir DIR` for PGlite). */
	readonly args: readonly string[];
	/** `DATABASE_URL` for the CLI (PostgreSQL), or undefined: the CLI must then see none. */
	readonly databaseUrl: string | undefined;
	/** For messages; never a password. */
	readonly describe: string;
	/** Rows in `healthcheck` now. */
	countStored(): Promise<number>;
	/** Drops the database or deletes the directory. */
	dispose(): Promise<void>;
};

function withDatabaseName(url: string, name: string): string {
	const parsed = new URL(url);
	parsed.pathname = `/${name}`;
	return parsed.toString();
}

async function count(target: DatabaseTarget): Promise<number> {
	const database = await openDatabase(target, {maxPoolSize: 1});
	try {
		return await countChecks(database.pool);
	} finally {
		await database.close();
	}
}

/** Runs `statement` on the server `DATABASE_URL` names (CREATE/DROP DATABASE cannot run in a transaction). */
async function onServer(serverUrl: string, statement: ReturnType<typeof sql.unsafe>): Promise<void> {
	const database = await openDatabase(targetFromDatabaseUrl(serverUrl), {maxPoolSize: 1});
	try {
		await database.pool.query(statement);
	} finally {
		await database.close();
	}
}

/**
Makes a fresh database: a new PGlite directory under `scratch`, or a new database on the server of
`serverUrl` (created with CREATE DATABASE, dropped by `dispose()`), so runs never see each other's rows.
*/
export async function createBenchDatabase(kind: BenchDatabaseKind, scratch: string, serverUrl?: string): Promise<BenchDatabase> {
	const name = `webmon_bench_${randomBytes(5).toString('hex')}`;
	if (kind === 'pglite') {
		const dataDir = path.join(scratch, name);
		await mkdir(dataDir, {recursive: true});
		return {
			kind,
			args: ['--data-dir', dataDir],
			databaseUrl: undefined,
			describe: dataDir,
			countStored: async () => count(pgliteTarget(dataDir)),
			dispose: async () => rm(dataDir, {recursive: true, force: true}),
		};
	}

	if (!serverUrl) {
		throw new Error('--db postgres needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
	}

	await onServer(serverUrl, sql.unsafe`CREATE DATABASE ${sql.identifier([name])}`);
	const databaseUrl = withDatabaseName(serverUrl, name);
	const target = targetFromDatabaseUrl(databaseUrl);
	return {
		kind,
		args: [],
		databaseUrl,
		describe: target.describe,
		countStored: async () => count(target),
		async dispose() {
			// FORCE (PostgreSQL 13+): a CLI killed at its deadline may leave a session behind.
			await onServer(serverUrl, sql.unsafe`DROP DATABASE IF EXISTS ${sql.identifier([name])} WITH (FORCE)`);
		},
	};
}
