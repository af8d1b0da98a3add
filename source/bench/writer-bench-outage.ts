import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync} from 'node:fs';
import {mkdir, readdir, rm, stat} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {sql} from 'slonik';
import {z} from 'zod';
import {targetFromDatabaseUrl} from '../config/index.js';
import {openDatabase, type Database} from '../storage/open-database.js';
import {kindName, startFleet, type FleetSite} from './fleet.js';
import {startTcpProxy} from './tcp-proxy.js';

/** Options of the outage scenario. */
export type OutageOptions = {
	/** Sites in the loopback fleet. Default 10,000. */
	readonly sites?: number;
	/** Range of check intervals, s. Default 5-20 (about 900 checks/s for 10,000 sites). */
	readonly intervalSeconds?: readonly [number, number];
	/** Running time before the cut, s. Default 20 (every site has started by then). */
	readonly warmupSeconds?: number;
	/** How long the database is cut off, s. Default 60. */
	readonly outageSeconds?: number;
};

/** What the outage scenario measured. */
export type OutageResult = {
	readonly sites: number;
	readonly outageSeconds: number;
	/** Checks the fleet saw (redirect second hops not counted). */
	readonly requests: number;
	/** Rows of checks stored (skipped slots not counted). */
	readonly rows: number;
	/** Checks the fleet saw without a row (goal 0). */
	readonly lost: number;
	/** Rows sharing a (website_fk, scheduled_at) key (goal 0; the unique index forbids them). */
	readonly duplicates: number;
	/** Rows beyond the requests a site saw (a check that failed before its request arrived). */
	readonly extraRows: number;
	/** Largest journal seen on disk during the outage. */
	readonly journalPeakBytes: number;
	/** From the end of the cut until the rows caught up with every check seen before it, s. */
	readonly drainSeconds: number | undefined;
	/** Checks the fleet saw during the cut. */
	readonly checksDuringOutage: number;
	readonly exitCode: number | null;
};

const binPath = fileURLToPath(new URL('../../bin/webmon-tui.js', import.meta.url));
const sleep = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

async function directoryBytes(directory: string): Promise<number> {
	if (!existsSync(directory)) {
		return 0;
	}

	let total = 0;
	for (const entry of await readdir(directory, {withFileTypes: true, recursive: true})) {
		if (entry.isFile() && entry.name.endsWith('.ndjson')) {
			total += await stat(path.join(entry.parentPath, entry.name)).then(info => info.size, () => 0);
		}
	}

	return total;
}

const perSite = z.object({url_uq: z.string(), checks: z.number(), keys: z.number(), rows: z.number()});

/**
The real CLI, headless, monitors a loopback fleet and stores into a fresh database on `serverUrl`
through a TCP proxy; the proxy is cut for `outageSeconds`, then restored. Afterwards each site's rows
are compared with the requests the fleet saw for it.
*/
export async function runOutageScenario(serverUrl: string, scratch: string, options: OutageOptions, log: (line: string) => void): Promise<OutageResult> {
	const siteCount = options.sites ?? 10_000;
	const outageSeconds = options.outageSeconds ?? 60;
	const name = `webmon_outage_${randomBytes(5).toString('hex')}`;
	const server = targetFromDatabaseUrl(serverUrl);
	const admin = await openDatabase(server, {maxPoolSize: 1});
	await admin.pool.query(sql.unsafe`CREATE DATABASE ${sql.identifier([name])}`);
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	const direct = url.toString();
	const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
	url.hostname = '127.0.0.1';
	url.port = String(proxy.port);
	const fleet = await startFleet({addresses: 8, portsPerAddress: 4});
	const dataDir = path.join(scratch, `outage-${name}`);
	await mkdir(dataDir, {recursive: true});
	let database: Database | undefined;
	try {
		const sites: FleetSite[] = fleet.sites({count: siteCount, mix: 'bench', intervalSeconds: options.intervalSeconds ?? [5, 20]});
		const csv = path.join(dataDir, 'sites.csv');
		await fleet.writeCsv(csv, sites);
		const {DATABASE_URL: _ignored, ...environment} = process.env;
		const child = spawn(process.execPath, [binPath, '--sites-csv', csv, '--data-dir', dataDir, '--no-tui', '--format', 'ndjson', '--timeout', '5'], {
			env: {...environment, DATABASE_URL: url.toString()},
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		let stderr = '';
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
			stderr += chunk;
		});
		const exited = new Promise<number | null>(resolve => {
			child.on('close', code => {
				resolve(code);
			});
		});

		const kindOf = new Map(sites.map(site => [site.fleetId, site.kind]));
		// A redirect check makes two requests; only the first (its own kind) is the check.
		const requestsPerSite = () => {
			const view = fleet.log();
			const counts = new Map<number, number>();
			for (let index = 0; index < view.length; index++) {
				const id = view.siteIds[index]!;
				if (kindOf.get(id) === kindName(view.kindCodes[index]!)) {
					counts.set(id, (counts.get(id) ?? 0) + 1);
				}
			}

			return counts;
		};

		const total = (counts: Map<number, number>) => [...counts.values()].reduce((sum, count) => sum + count, 0);
		log(`outage: ${siteCount} sites, warming up for ${options.warmupSeconds ?? 20} s`);
		await sleep((options.warmupSeconds ?? 20) * 1000);
		await proxy.stop();
		const beforeCut = total(requestsPerSite());
		log(`outage: database cut off for ${outageSeconds} s`);
		let journalPeakBytes = 0;
		for (let second = 0; second < outageSeconds; second++) {
			await sleep(1000);
			journalPeakBytes = Math.max(journalPeakBytes, await directoryBytes(path.join(dataDir, 'journal')));
		}

		await proxy.start();
		const recoveredAt = performance.now();
		const seenAtRecovery = total(requestsPerSite());
		log(`outage: database back; ${seenAtRecovery - beforeCut} checks ran during the cut`);
		database = await openDatabase(targetFromDatabaseUrl(direct), {maxPoolSize: 1});
		let drainSeconds: number | undefined;
		while (performance.now() - recoveredAt < 300_000) {
			const stored = await database.pool.oneFirst(sql.type(z.object({count: z.number()}))`SELECT count(*)::int AS count FROM healthcheck`);
			if (stored >= seenAtRecovery) {
				drainSeconds = Math.round((performance.now() - recoveredAt) / 100) / 10;
				break;
			}

			await sleep(250);
		}

		log(`outage: drained in ${drainSeconds ?? '(not within 300)'} s; stopping the monitor`);
		await sleep(3000);
		child.kill('SIGTERM');
		const exitCode = await exited;
		if (exitCode !== 0) {
			log(`outage: the monitor exited ${exitCode}: ${stderr.split('\n').slice(-5).join(' | ')}`);
		}

		const requests = requestsPerSite();
		const stored = await database.pool.any(sql.type(perSite)`
			SELECT w.url_uq,
				count(*) FILTER (WHERE h.error_kind IS DISTINCT FROM 'skipped')::int AS checks,
				count(DISTINCT h.scheduled_at)::int AS keys,
				count(*)::int AS rows
			FROM healthcheck h JOIN website w ON w.website_id = h.website_fk GROUP BY w.url_uq
		`);
		const rowsPerSite = new Map<number, number>();
		let duplicates = 0;
		for (const row of stored) {
			const id = Number(/\/s\/(\d+)\//.exec(row.url_uq)?.[1]);
			rowsPerSite.set(id, row.checks);
			duplicates += row.rows - row.keys;
		}

		let lost = 0;
		let extraRows = 0;
		for (const site of sites) {
			const difference = (requests.get(site.fleetId) ?? 0) - (rowsPerSite.get(site.fleetId) ?? 0);
			lost += Math.max(0, difference);
			extraRows += Math.max(0, -difference);
		}

		return {
			sites: siteCount,
			outageSeconds,
			requests: total(requests),
			rows: total(rowsPerSite),
			lost,
			duplicates,
			extraRows,
			journalPeakBytes,
			drainSeconds,
			checksDuringOutage: seenAtRecovery - beforeCut,
			exitCode,
		};
	} finally {
		await database?.close();
		await proxy.stop();
		await fleet.close();
		await admin.pool.query(sql.unsafe`DROP DATABASE IF EXISTS ${sql.identifier([name])} WITH (FORCE)`).catch(() => undefined);
		await admin.close();
		await rm(dataDir, {recursive: true, force: true});
	}
}
