/**
The writer benchmark: rows/s the batched writer sustains on PostgreSQL (when a server is given) and
on PGlite, with the event-loop delay while it writes; and a database outage under a 10,000-site
loopback fleet, run with the real CLI. Standalone:

	npm run build && npx tsx source/bench/writer-bench.ts [--rows N] [--no-outage] [--outage-seconds 60] [--sites 10000] [--out FILE]

`DATABASE_URL` names the PostgreSQL server (fresh databases are created on it and dropped after).
*/
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';
import {runOutageScenario, type OutageOptions, type OutageResult} from './writer-bench-outage.js';
import {measureThroughput, type ThroughputResult} from './writer-bench-throughput.js';

/** Options of `runWriterBench`. */
export type WriterBenchOptions = {
	/** PostgreSQL server for the PostgreSQL runs and the outage; without it only PGlite runs. */
	readonly databaseUrl?: string | undefined;
	/** Rows per PostgreSQL throughput run. Default 200,000. */
	readonly rows?: number;
	/** Rows per PGlite throughput run. Default 50,000. */
	readonly pgliteRows?: number;
	/** The outage scenario (PostgreSQL only); false skips it. Default: on, 60 s, 10,000 sites. */
	readonly outage?: boolean | OutageOptions;
	/** Progress lines. */
	readonly log?: (line: string) => void;
};

/** Everything measured, JSON-able; `table` is the same as text. */
export type WriterBenchResult = {
	readonly throughput: ThroughputResult[];
	readonly outage: OutageResult | {readonly skipped: string};
	readonly goals: {readonly postgresRowsPerSecond: 20_000; readonly pgliteRowsPerSecond: 5000};
	readonly table: string;
};

function formatTable(throughput: readonly ThroughputResult[], outage: WriterBenchResult['outage']): string {
	const number = (value: number) => value.toLocaleString('en-US');
	const lines = [
		'                     burst                             steady stream',
		'writer                  rows      s   rows/s  loop p99 |  rows/s  loop p99  loop max (ms)',
		...throughput.map(run => [
			`${run.backend}${run.journal ? ' + journal' : ' (memory)'}`.padEnd(19),
			number(run.rows).padStart(8),
			run.seconds.toFixed(2).padStart(6),
			number(run.rowsPerSecond).padStart(8),
			String(run.burstLoopDelayP99Ms).padStart(9),
			'|',
			number(run.pacedRowsPerSecond).padStart(7),
			String(run.eventLoopDelayP99Ms).padStart(9),
			String(run.eventLoopDelayMaxMs).padStart(9),
		].join(' ')),
		'goals: PostgreSQL >= 20,000 rows/s, PGlite >= 5,000 rows/s (burst)',
		'',
	];
	if ('skipped' in outage) {
		lines.push(`outage: skipped (${outage.skipped})`);
	} else {
		lines.push(
			`outage: ${number(outage.sites)} sites, database cut off for ${outage.outageSeconds} s (TCP proxy), real CLI headless`,
			`  checks seen ${number(outage.requests)} (${number(outage.checksDuringOutage)} during the cut), rows ${number(outage.rows)}`,
			`  lost ${outage.lost} (goal 0), duplicates ${outage.duplicates} (goal 0), extra rows ${outage.extraRows}`,
			`  journal peak ${(outage.journalPeakBytes / 1024 / 1024).toFixed(1)} MiB, drained ${outage.drainSeconds ?? '-'} s after the cut ended, exit ${outage.exitCode}`,
		);
	}

	return lines.join('\n');
}

/** Runs the throughput measurements, then the outage scenario. Prints nothing itself (see `table`). */
export async function runWriterBench(options: WriterBenchOptions = {}): Promise<WriterBenchResult> {
	const log = options.log ?? (() => undefined);
	const scratch = await mkdtemp(path.join(tmpdir(), 'webmon-writer-bench-'));
	try {
		const throughput: ThroughputResult[] = [];
		const backends = options.databaseUrl ? ['postgres', 'pglite'] as const : ['pglite'] as const;
		for (const backend of backends) {
			for (const journal of [true, false]) {
				const rows = backend === 'postgres' ? options.rows ?? 200_000 : options.pgliteRows ?? 50_000;
				log(`writer throughput: ${backend}${journal ? ' with journal' : ' memory only'}, ${rows} rows`);
				throughput.push(await measureThroughput({
					backend,
					journal,
					rows,
					pacedRowsPerSecond: backend === 'postgres' ? 10_000 : 5000,
					scratch,
					serverUrl: options.databaseUrl,
				}));
			}
		}

		let outage: WriterBenchResult['outage'];
		if (options.outage === false) {
			outage = {skipped: 'disabled'};
		} else if (options.databaseUrl) {
			outage = await runOutageScenario(options.databaseUrl, scratch, options.outage === true || options.outage === undefined ? {} : options.outage, log);
		} else {
			outage = {skipped: 'needs a PostgreSQL server (DATABASE_URL)'};
		}

		return {
			throughput,
			outage,
			goals: {postgresRowsPerSecond: 20_000, pgliteRowsPerSecond: 5000},
			table: formatTable(throughput, outage),
		};
	} finally {
		await rm(scratch, {recursive: true, force: true});
	}
}

async function main(): Promise<void> {
	const {values} = parseArgs({
		options: {
			rows: {type: 'string'},
			'no-outage': {type: 'boolean', default: false},
			'outage-seconds': {type: 'string'},
			sites: {type: 'string'},
			out: {type: 'string'},
		},
	});
	const result = await runWriterBench({
		databaseUrl: process.env.DATABASE_URL || undefined,
		...(values.rows && {rows: Number(values.rows)}),
		outage: values['no-outage']
			? false
			: {
				...(values['outage-seconds'] && {outageSeconds: Number(values['outage-seconds'])}),
				...(values.sites && {sites: Number(values.sites)}),
			},
		log(line) {
			process.stderr.write(`${line}\n`);
		},
	});
	console.log(result.table);
	if (values.out) {
		const {table: _table, ...data} = result;
		await writeFile(values.out, JSON.stringify(data, undefined, '\t') + '\n');
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	});
}
