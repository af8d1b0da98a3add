import {execFile, execFileSync} from 'node:child_process';
import {chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {createPgDriverFactory} from '@slonik/pg-driver';
import {createPool, sql} from 'slonik';
import {freePort} from '../helpers/free-port.js';

const run = promisify(execFile);

/**
A PostgreSQL cluster of a test's own (initdb into a temp directory, a free loopback port), so a test
can stop and start the server without disturbing any other test.
*/
export type PostgresCluster = {
	readonly port: number;
	/** `postgres://postgres@127.0.0.1:<port>/<database>` (trust authentication, no password). */
	url(database?: string): string;
	/** Creates a database and returns its name. */
	createDatabase(): Promise<string>;
	/** `pg_ctl stop -m fast`: sessions are terminated, the port closes. */
	stop(): Promise<void>;
	/** Starts it again on the same port. */
	start(): Promise<void>;
	/** Stops it (immediately) and deletes its directory. */
	dispose(): Promise<void>;
};

/**
The directory with initdb and pg_ctl: `$WEBMON_PG_BIN`, else `pg_config --bindir`, else the newest
`/usr/lib/postgresql/<version>/bin`. Undefined when there is none.
*/
export function postgresBinaries(): string | undefined {
	const candidates: string[] = [];
	if (process.env.WEBMON_PG_BIN) {
		candidates.push(process.env.WEBMON_PG_BIN);
	}

	try {
		candidates.push(execFileSync('pg_config', ['--bindir'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim());
	} catch {
		// No pg_config on PATH.
	}

	const debian = '/usr/lib/postgresql';
	if (existsSync(debian)) {
		const versions = readdirSync(debian).filter(name => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
		candidates.push(...versions.map(version => path.join(debian, version, 'bin')));
	}

	return candidates.find(directory => existsSync(path.join(directory, 'initdb')) && existsSync(path.join(directory, 'pg_ctl')));
}

/** PostgreSQL refuses to run as root, and CI runs as root: then the cluster runs as `postgres`. */
function asServerUser(): {prefix: string[]; uid?: number; gid?: number} {
	if (process.getuid?.() !== 0) {
		return {prefix: []};
	}

	const uid = Number(execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], {encoding: 'utf8'}).trim());
	return {prefix: ['runuser', '-u', 'postgres', '--'], uid, gid};
}

/** Options of `startPostgresCluster`. */
export type PostgresClusterOptions = {
	/**
	The lines of pg_hba.conf (default: trust for everyone). Keep `host all postgres 127.0.0.1/32 trust`
	among them: `url()` and `createDatabase` connect as postgres without a password.
	*/
	readonly hba?: readonly string[];
};

/** Creates and starts a cluster. Throws, with what to install, when the binaries are missing. */
export async function startPostgresCluster(settings: PostgresClusterOptions = {}): Promise<PostgresCluster> {
	const bin = postgresBinaries();
	if (!bin) {
		throw new Error('no PostgreSQL server binaries (initdb, pg_ctl) found: install postgresql, or set WEBMON_PG_BIN to their directory');
	}

	const user = asServerUser();
	const directory = mkdtempSync(path.join(tmpdir(), 'webmon-pg-cluster-'));
	if (user.uid !== undefined) {
		chownSync(directory, user.uid, user.gid!);
	}

	const data = path.join(directory, 'data');
	const port = await freePort();
	const exec = async (program: string, args: string[]) => {
		const [command, ...rest] = [...user.prefix, path.join(bin, program), ...args];
		return run(command!, rest, {timeout: 60_000});
	};

	await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
	if (settings.hba) {
		// Written as root in CI: the file keeps its owner, and the server only needs to read it.
		writeFileSync(path.join(data, 'pg_hba.conf'), settings.hba.join('\n') + '\n');
	}

	const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
	const start = async () => {
		await exec('pg_ctl', ['-D', data, '-o', options, '-l', path.join(directory, 'server.log'), '-w', '-t', '30', 'start']);
	};

	await start();
	const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
	let counter = 0;
	return {
		port,
		url,
		async createDatabase() {
			const name = `webmon_durability_${++counter}`;
			const pool = await createPool(url(), {driverFactory: createPgDriverFactory(), maxPoolSize: 1});
			try {
				await pool.query(sql.unsafe`CREATE DATABASE ${sql.identifier([name])}`);
			} finally {
				await pool.end();
			}

			return name;
		},
		async stop() {
			await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
		},
		start,
		async dispose() {
			await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
			rmSync(directory, {recursive: true, force: true});
		},
	};
}
