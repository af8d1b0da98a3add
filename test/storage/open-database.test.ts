import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {hostname, tmpdir} from 'node:os';
import path from 'node:path';
import {inspect} from 'node:util';
import test from 'ava';
import {createPool, sql} from 'slonik';
import {createPgDriverFactory} from '@slonik/pg-driver';
import {DatabaseUnavailableError} from '../../source/errors.js';
import {openDatabase} from '../../source/storage/open-database.js';
import {lockFileName} from '../../source/storage/pglite-lock.js';
import type {DatabaseTarget, SslMode} from '../../source/storage/types.js';
import {postgresTargetFromUrl, registerPostgresNotice} from '../helpers/database.js';
import {freePort} from '../helpers/free-port.js';

const password = 's3cr3t-PASSWORD';

function targetAt(port: number, overrides: Partial<Extract<DatabaseTarget, {kind: 'postgres'}>> = {}): DatabaseTarget {
	return {
		kind: 'postgres',
		uri: `postgres://postgres@127.0.0.1:${port}/test`,
		password,
		sslMode: 'disable',
		describe: `postgres@127.0.0.1:${port}/test`,
		...overrides,
	};
}

function assertNoPassword(t: {false(value: boolean, message?: string): void}, error: unknown) {
	const everything = [
		(error as Error).message,
		(error as Error).stack ?? '',
		inspect(error, {depth: 20, showHidden: true}),
		JSON.stringify(error, Object.getOwnPropertyNames(error)),
	].join('\n');
	t.false(everything.includes(password), 'the password appears in the error');
}

test('[postgres] a closed port: DatabaseUnavailableError, one line, no password', async t => {
	const port = await freePort();
	for (const target of [
		targetAt(port),
		targetAt(port, {sslMode: 'prefer'}),
		// A password left inside the URI must not leak either.
		targetAt(port, {uri: `postgres://postgres:${password}@127.0.0.1:${port}/test`, password: undefined}),
	]) {
		const error = await t.throwsAsync(openDatabase(target), {instanceOf: DatabaseUnavailableError});
		t.is(error.message, `cannot connect to PostgreSQL at postgres@127.0.0.1:${port}/test: connection refused`);
		t.is((error).code, 'DATABASE_UNAVAILABLE');
		assertNoPassword(t, error);
	}
});

test('[postgres] a server that never answers: the connection times out', async t => {
	const sockets = new Set<Socket>();
	const silent: Server = createServer(socket => {
		sockets.add(socket);
	});
	await new Promise<void>(resolve => {
		silent.listen(0, '127.0.0.1', resolve);
	});
	const {port} = silent.address() as {port: number};
	try {
		const error = await t.throwsAsync(openDatabase(targetAt(port), {connectionTimeoutMs: 200}), {
			instanceOf: DatabaseUnavailableError,
		});
		t.is(error.message, `cannot connect to PostgreSQL at postgres@127.0.0.1:${port}/test: connection timed out`);
		assertNoPassword(t, error);
	} finally {
		for (const socket of sockets) {
			socket.destroy();
		}

		silent.close();
	}
});

function scratchDir(): string {
	return mkdtempSync(path.join(tmpdir(), 'webmon-open-test-'));
}

test.serial('[pglite] creates the data directory, locks it, and unlocks on close', async t => {
	const root = scratchDir();
	const dataDir = path.join(root, 'a', 'b');
	try {
		const database = await openDatabase({kind: 'pglite', dataDir, describe: dataDir});
		t.is(database.kind, 'pglite');
		t.is(await database.pool.oneFirst(sql.unsafe`SELECT 1 + 1`), 2);
		const lockFile = path.join(dataDir, lockFileName);
		t.is((JSON.parse(readFileSync(lockFile, 'utf8')) as {pid: number}).pid, process.pid);

		const second = await t.throwsAsync(openDatabase({kind: 'pglite', dataDir, describe: dataDir}), {
			instanceOf: DatabaseUnavailableError,
		});
		t.regex(second.message, /is in use by this process/);

		await database.close();
		await database.close();
		t.false(existsSync(lockFile));
		const again = await openDatabase({kind: 'pglite', dataDir, describe: dataDir});
		await again.close();
	} finally {
		rmSync(root, {recursive: true, force: true});
	}
});

test.serial('[pglite] a lock held by a live process is refused; one left by a dead process is taken over', async t => {
	const dataDir = scratchDir();
	const lockFile = path.join(dataDir, lockFileName);
	const lock = (pid: number) => JSON.stringify({pid, hostname: hostname(), startedAt: 'x'});
	try {
		writeFileSync(lockFile, lock(process.ppid));
		const error = await t.throwsAsync(openDatabase({kind: 'pglite', dataDir, describe: dataDir}), {
			instanceOf: DatabaseUnavailableError,
		});
		t.regex(error.message, new RegExp(`in use by process ${process.ppid}`));

		const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'}));
		writeFileSync(lockFile, lock(deadPid));
		const database = await openDatabase({kind: 'pglite', dataDir, describe: dataDir});
		t.is((JSON.parse(readFileSync(lockFile, 'utf8')) as {pid: number}).pid, process.pid);
		await database.close();
	} finally {
		rmSync(dataDir, {recursive: true, force: true});
	}
});

if (process.env.DATABASE_URL) {
	const base = postgresTargetFromUrl(process.env.DATABASE_URL);

	test('[postgres] opens, and the password travels apart from the URI', async t => {
		const database = await openDatabase(base);
		t.is(database.kind, 'postgres');
		t.is(database.describe, base.describe);
		t.is(await database.pool.oneFirst(sql.unsafe`SELECT 1`), 1);
		await database.close();
		await database.close();
	});

	test('[postgres] sslmode: prefer falls back to plain TCP when the server has no TLS; require does not', async t => {
		const admin = await createPool(base.uri, {driverFactory: createPgDriverFactory(), password: base.password});
		const serverTls = await admin.oneFirst(sql.unsafe`SHOW ssl`) === 'on';
		await admin.end();

		const preferred = await openDatabase({...base, sslMode: 'prefer'});
		t.is(await preferred.pool.oneFirst(sql.unsafe`SELECT 1`), 1);
		await preferred.close();

		for (const sslMode of ['require', 'verify-full'] as SslMode[]) {
			if (serverTls) {
				t.log(`server has TLS: ${sslMode} not checked for refusal`);
				continue;
			}

			const error = await t.throwsAsync(openDatabase({...base, sslMode}), {instanceOf: DatabaseUnavailableError});
			t.is(error.message, `cannot connect to PostgreSQL at ${base.describe}: the server does not support TLS`);
		}
	});
} else {
	registerPostgresNotice();
}

test('a new PGlite directory is created by initdb in a child process, then opened with 16 MB of shared buffers', async t => {
	const dataDir = mkdtempSync(path.join(tmpdir(), 'webmon-initdb-'));
	t.teardown(() => {
		rmSync(dataDir, {recursive: true, force: true});
	});
	const database = await openDatabase({kind: 'pglite', dataDir, describe: dataDir});
	try {
		t.true(existsSync(path.join(dataDir, 'PG_VERSION')));
		t.is(await database.pool.oneFirst(sql.unsafe`SHOW shared_buffers`), '16MB');
		t.is(await database.pool.oneFirst(sql.unsafe`SELECT 41 + 1`), 42);
	} finally {
		await database.close();
	}

	// A second open finds the cluster and keeps what was there.
	const again = await openDatabase({kind: 'pglite', dataDir, describe: dataDir});
	t.is(await again.pool.oneFirst(sql.unsafe`SHOW shared_buffers`), '16MB');
	await again.close();
});
