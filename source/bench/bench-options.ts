import {parseArgs} from 'node:util';
import {benchCaseNames, benchCases, benchCaseUsage, type BenchMatrixFlags} from './bench-cases.js';
import type {BenchDatabaseKind} from './bench-database.js';
import {originsServed, originsUsed, type BenchRunConfig} from './bench-run-config.js';

/** The benchmark's usage text (also the reference for its flags). */
export const benchUsage = String.raw`usage: npm run bench -- [flags]

  --sizes LIST          site counts (default 10000; --quick: 1000)
  --db LIST             pglite,postgres (default pglite, plus postgres when DATABASE_URL is set)
  --scheme LIST         http,https (default http)
  --hang LIST           % of sites that hang, e.g. 1,10 (default: the bench mix's own 1%)
  --connection-close    the fleet sends Connection: close on every response (as most real sites
                        look to a checker that comes back every 5-300 s)
  --interval MIN-MAX    check intervals, seconds (default 5-300: a run lasts about checks × MAX)
  --checks N            checks per site (default 2: every site is checked at least twice)
  --workers N           pass --workers N to the CLI (0: engine on the main thread; default: the CLI's)
  --addresses N         fleet loopback addresses 127.0.1.1-N (default 254)
  --ports N             fleet ports per address and scheme (default 8: 2,032 origins)
  --sites-per-origin LIST  sites sharing one origin: the list uses ceil(sites / N) origins, one per
                        address first (default: every origin the fleet serves)
  --timeout LIST        pass --timeout SECONDS to the CLI (default: the CLI's 10 s)
  --case LIST           named cases (issue 10), each on every --db; other flags given override them:
${benchCaseUsage()}
  --startup-rows LIST   start-up only (issue 12): for each count, a sites file of that many
                        loopback sites on a closed port, then the time from spawn to the first
                        check line and the peak RSS, on a fresh database and on a restart, on
                        every --db (e.g. --startup-rows 1000000; nothing else runs)
  --cpu-prof            profile the CLI (node --cpu-prof) and print its top 15 functions by self time
  --out DIR             where the JSON (and profiles) go (default bench-results/)
  --quick               smoke test: 1000 sites, intervals 5-15 s (about a minute per run)
  --no-writer           skip the writer benchmark
  --keep                keep each run's scratch files (CSV, NDJSON, fleet log) and print where

Issue 10 (hosts shared by many sites; the big ones take long, see above):
  npm run bench -- --case one-host,shared-20k,shared-20k-https,distinct-100k --db pglite,postgres

Full matrix of issue 4 (about 32 runs of ~11 minutes each):
  npm run bench -- --sizes 1000,10000,50000,100000 --db pglite,postgres --scheme http,https \
    --hang 1,10 --connection-close`;

/** Everything a benchmark invocation decided. */
export type BenchOptions = {
	readonly matrix: BenchRunConfig[];
	readonly out: string;
	readonly writer: boolean;
	readonly keep: boolean;
	readonly help: boolean;
	/** `--startup-rows`: run the start-up benchmark for these counts on `startupDbs` instead of the matrix. */
	readonly startupRows?: number[] | undefined;
	readonly startupDbs: BenchDatabaseKind[];
};

/** Bad benchmark flags. */
export class BenchUsageError extends Error {
	override readonly name = 'BenchUsageError';
}

function list(value: string, flag: string): string[] {
	const items = value.split(',').map(item => item.trim()).filter(Boolean);
	if (items.length === 0) {
		throw new BenchUsageError(`--${flag}: empty list`);
	}

	return items;
}

function wholeNumbers(value: string, flag: string, min: number): number[] {
	return list(value, flag).map(item => {
		const number = Number(item.replace(/k$/i, '000'));
		if (!Number.isSafeInteger(number) || number < min) {
			throw new BenchUsageError(`--${flag}: "${item}" is not a whole number >= ${min}`);
		}

		return number;
	});
}

function oneOf<T extends string>(value: string, flag: string, allowed: readonly T[]): T[] {
	return list(value, flag).map(item => {
		if (!(allowed as readonly string[]).includes(item)) {
			throw new BenchUsageError(`--${flag}: "${item}" is not one of ${allowed.join(', ')}`);
		}

		return item as T;
	});
}

function percentages(value: string): number[] {
	return list(value, 'hang').map(item => {
		const percent = Number(item);
		if (!(percent >= 0 && percent <= 100)) {
			throw new BenchUsageError(`--hang: "${item}" is not a percentage from 0 to 100`);
		}

		return percent;
	});
}

function timeouts(value: string): number[] {
	return list(value, 'timeout').map(item => {
		const seconds = Number(item);
		// The CLI's own bounds (source/cli.ts), checked here so a typo fails before a fleet starts.
		if (!(seconds > 0 && seconds <= 3600)) {
			throw new BenchUsageError(`--timeout: "${item}" is not a number of seconds above 0 and at most 3600`);
		}

		return seconds;
	});
}

/** Refuses a run whose site list needs more origins than the fleet will serve. */
function checkOrigins(config: BenchRunConfig): void {
	const needed = originsUsed(config);
	const served = originsServed(config);
	if (needed > served) {
		throw new BenchUsageError(`--sites-per-origin ${config.sitesPerOrigin}: ${config.sites} sites need ${needed} origins, `
			+ `but the fleet serves ${served} per scheme (--addresses ${config.addresses} × --ports ${config.ports}); `
			+ `raise --ports to at least ${Math.ceil(needed / config.addresses)}${config.addresses < 254 ? ' or --addresses (at most 254)' : ''}`);
	}
}

/** `--db`, or PGlite plus PostgreSQL when DATABASE_URL is set. */
function databasesOf(db: string | undefined, env: NodeJS.ProcessEnv): BenchDatabaseKind[] {
	const databases = oneOf<BenchDatabaseKind>(db ?? (env.DATABASE_URL ? 'pglite,postgres' : 'pglite'), 'db', ['pglite', 'postgres']);
	if (databases.includes('postgres') && !env.DATABASE_URL) {
		throw new BenchUsageError('--db postgres needs DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test');
	}

	return databases;
}

/** The runs one set of flags asks for: databases, then schemes, hangs, sharing, timeouts, sizes (fastest). */
function matrixOf(flags: BenchMatrixFlags, env: NodeJS.ProcessEnv, caseName: string | undefined): BenchRunConfig[] {
	const sizes = wholeNumbers(flags.sizes ?? (flags.quick ? '1000' : '10000'), 'sizes', 1);
	const databases = databasesOf(flags.db, env);

	const schemes = oneOf(flags.scheme ?? 'http', 'scheme', ['http', 'https'] as const);
	const hangs: Array<number | undefined> = flags.hang === undefined ? [undefined] : percentages(flags.hang);
	const sharing: Array<number | undefined> = flags['sites-per-origin'] === undefined
		? [undefined]
		: wholeNumbers(flags['sites-per-origin'], 'sites-per-origin', 1);
	const timeoutList: Array<number | undefined> = flags.timeout === undefined ? [undefined] : timeouts(flags.timeout);
	const intervalText = flags.interval ?? (flags.quick ? '5-15' : '5-300');
	const interval = /^(\d+)-(\d+)$/.exec(intervalText);
	if (!interval || Number(interval[1]) < 1 || Number(interval[2]) < Number(interval[1])) {
		throw new BenchUsageError(`--interval: "${intervalText}" is not MIN-MAX in whole seconds, 1 <= MIN <= MAX`);
	}

	const [checks] = wholeNumbers(flags.checks ?? '2', 'checks', 1);
	const workers = flags.workers === undefined ? undefined : wholeNumbers(flags.workers, 'workers', 0)[0];
	const [addresses] = wholeNumbers(flags.addresses ?? '254', 'addresses', 1);
	const [ports] = wholeNumbers(flags.ports ?? '8', 'ports', 1);
	if (addresses! > 254) {
		throw new BenchUsageError('--addresses: at most 254 (127.0.1.1-127.0.1.254)');
	}

	const matrix: BenchRunConfig[] = [];
	for (const db of databases) {
		for (const scheme of schemes) {
			for (const hangPercent of hangs) {
				for (const sitesPerOrigin of sharing) {
					for (const timeoutSeconds of timeoutList) {
						for (const sites of sizes) {
							const config: BenchRunConfig = {
								sites,
								db,
								scheme,
								hangPercent,
								connectionClose: flags['connection-close'] ?? false,
								intervalSeconds: [Number(interval[1]), Number(interval[2])],
								checks: checks!,
								workers,
								cpuProf: flags['cpu-prof'] ?? false,
								addresses: addresses!,
								ports: ports!,
								sitesPerOrigin,
								timeoutSeconds,
								caseName,
							};
							checkOrigins(config);
							matrix.push(config);
						}
					}
				}
			}
		}
	}

	return matrix;
}

/**
Parses the benchmark's flags into the run matrix: one matrix per `--case` (its flags under the ones
given), or one from the flags alone.
*/
export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
	const {values} = parseArgs({
		args: [...argv],
		options: {
			// No defaults on matrix flags here: a flag left out must let a case's value through.
			sizes: {type: 'string'},
			db: {type: 'string'},
			scheme: {type: 'string'},
			hang: {type: 'string'},
			'connection-close': {type: 'boolean'},
			interval: {type: 'string'},
			checks: {type: 'string'},
			workers: {type: 'string'},
			addresses: {type: 'string'},
			ports: {type: 'string'},
			'sites-per-origin': {type: 'string'},
			timeout: {type: 'string'},
			case: {type: 'string'},
			'startup-rows': {type: 'string'},
			'cpu-prof': {type: 'boolean'},
			out: {type: 'string', default: 'bench-results'},
			quick: {type: 'boolean'},
			'no-writer': {type: 'boolean', default: false},
			keep: {type: 'boolean', default: false},
			help: {type: 'boolean', short: 'h', default: false},
		},
		strict: true,
		allowPositionals: false,
	});
	const {case: caseList, out, 'no-writer': noWriter, keep, help, 'startup-rows': startupList, ...given} = values;
	if (startupList !== undefined) {
		return {
			matrix: [],
			out,
			writer: false,
			keep,
			help,
			startupRows: wholeNumbers(startupList, 'startup-rows', 1),
			startupDbs: databasesOf(given.db, env),
		};
	}

	const flags = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as BenchMatrixFlags;
	if (caseList !== undefined && flags.quick) {
		throw new BenchUsageError('--quick and --case do not mix: a case sets its own sizes and intervals');
	}

	const cases = caseList === undefined ? [undefined] : oneOf(caseList, 'case', benchCaseNames);
	const matrix = cases.flatMap(name => matrixOf(name === undefined ? flags : {...benchCases[name].flags, ...flags}, env, name));
	return {matrix, out, writer: !noWriter, keep, help, startupDbs: []};
}
