import {randomBytes} from 'node:crypto';
import {cpSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {PGlite} from '@electric-sql/pglite';
import {createPgDriverFactory} from '@slonik/pg-driver';
import test, {type ExecutionContext} from 'ava';
import {createPool, sql} from 'slonik';
import {migrate} from '../../source/storage/migrations.js';
import {openDatabase, type Database} from '../../source/storage/open-database.js';
import type {DatabaseTarget} from '../../source/storage/types.js';
import {targetFromDatabaseUrl} from '../../source/config/index.js';
import {notRun} from './not-run.js';

/** The backends a database test runs on. */
export type BackendKind = 'pglite' | 'postgres';

/** A fresh, empty database for one test. */
export type TestDatabase = {
	readonly kind: BackendKind;
	readonly target: DatabaseTarget;
	/** Drops the database (PostgreSQL) or deletes the directory (PGlite). */
	dispose(): Promise<void>;
};

/** PGlite always; PostgreSQL too when `DATABASE_URL` is set (CI sets it). */
export function backendKinds(): BackendKind[] {
	return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

const scratchRoot = mkdtempSync(path.join(tmpdir(), 'webmon-storage-test-'));
process.on('exit', () => {
	rmSync(scratchRoot, {recursive: true, force: true});
});

let template: Promise<string> | undefined;

/**
Initdb takes ~2 s in PGlite; copying an initialised, closed data directory takes ~0.1 s. So each
test process initialises one template and every test gets a copy.
*/
async function pgliteTemplate(): Promise<string> {
	template ??= (async () => {
		const directory = path.join(scratchRoot, 'template');
		const pglite = new PGlite(directory);
		await pglite.waitReady;
		await pglite.close();
		return directory;
	})();
	return template;
}

/** The target `DATABASE_URL` names, optionally with another database name on the same server. */
export function postgresTargetFromUrl(url: string, databaseName?: string): Extract<DatabaseTarget, {kind: 'postgres'}> {
	const parsed = new URL(url);
	if (databaseName) {
		parsed.pathname = '/' + databaseName;
	}

	return targetFromDatabaseUrl(parsed.toString()) as Extract<DatabaseTarget, {kind: 'postgres'}>;
}

async function withAdminPool<T>(action: (pool: Awaited<ReturnType<typeof createPool>>) => Promise<T>): Promise<T> {
	const admin = postgresTargetFromUrl(process.env.DATABASE_URL!);
	const pool = await createPool(admin.uri, {driverFactory: createPgDriverFactory(), password: admin.password, maxPoolSize: 1});
	try {
		return await action(pool);
	} finally {
		await pool.end();
	}
}

/** Creates a fresh database of `kind`: a copied PGlite directory, or a new database on the server. */
export async function createTestDatabase(kind: BackendKind): Promise<TestDatabase> {
	const name = `webmon_test_${randomBytes(6).toString('hex')}`;
	if (kind === 'pglite') {
		const dataDir = path.join(scratchRoot, name);
		cpSync(await pgliteTemplate(), dataDir, {recursive: true});
		return {
			kind,
			target: {kind: 'pglite', dataDir, describe: dataDir},
			async dispose() {
				rmSync(dataDir, {recursive: true, force: true});
			},
		};
	}

	await withAdminPool(async pool => pool.query(sql.unsafe`CREATE DATABASE ${sql.identifier([name])}`));
	return {
		kind,
		target: postgresTargetFromUrl(process.env.DATABASE_URL!, name),
		async dispose() {
			await withAdminPool(async pool => pool.query(sql.unsafe`DROP DATABASE IF EXISTS ${sql.identifier([name])} WITH (FORCE)`));
		},
	};
}

/** What a `forEachDatabase` test receives. */
export type DatabaseTestContext = {
	readonly kind: BackendKind;
	readonly target: DatabaseTarget;
	/** The database, opened (and migrated unless `migrated: false`). */
	readonly database: Database;
};

let noticeRegistered = false;

/**
Registers `[pglite] title` and, with `DATABASE_URL`, `[postgres] title`, each on a fresh database
that is closed and removed afterwards. Without `DATABASE_URL` one passing test per file says so in
the log, so PostgreSQL variants are never skipped silently. Serial: each PGlite holds ~300 MB.
*/
export function forEachDatabase(
	title: string,
	run: (t: ExecutionContext, context: DatabaseTestContext) => Promise<void>,
	options: {migrated?: boolean} = {},
): void {
	for (const kind of backendKinds()) {
		test.serial(`[${kind}] ${title}`, async t => {
			const fresh = await createTestDatabase(kind);
			const database = await openDatabase(fresh.target);
			try {
				if (options.migrated !== false) {
					await migrate(database.pool);
				}

				await run(t, {kind, target: fresh.target, database});
			} finally {
				await database.close();
				await fresh.dispose();
			}
		});
	}

	registerPostgresNotice();
}

/** One test per file saying why, when PostgreSQL variants cannot run. */
export function registerPostgresNotice(): void {
	if (noticeRegistered || process.env.DATABASE_URL) {
		return;
	}

	noticeRegistered = true;
	test('[postgres] variants', t => {
		notRun(t, 'DATABASE_URL is not set');
	});
}
