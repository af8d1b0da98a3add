import {parseArgs} from 'node:util';
import type {BenchDatabaseKind} from './bench-database.js';
import type {BenchRunConfig} from './bench-run-one.js';

/** The benchmark's usage text (also the reference for its flags). */
export const benchUsage = `usage: npm run bench -- [flags]

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
  --cpu-prof            profile the CLI (node --cpu-prof) and print its top 15 functions by self time
  --out DIR             where the JSON (and profiles) go (default bench-results/)
  --quick               smoke test: 1000 sites, intervals 5-15 s (about a minute per run)
  --no-writer           skip the writer benchmark
  --keep                keep each run's scratch files (CSV, NDJSON, fleet log) and print where

Full matrix of issue 4 (about 32 runs of ~11 minutes each):
  npm run bench -- --sizes 1000,10000,50000,100000 --db pglite,postgres --scheme http,https \\
    --hang 1,10 --connection-close`;

/** Everything a benchmark invocation decided. */
export type BenchOptions = {
	readonly matrix: BenchRunConfig[];
	readonly out: string;
	readonly writer: boolean;
	readonly keep: boolean;
	readonly help: boolean;
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

/** Parses the benchmark's flags into the run matrix (sizes vary fastest, so a group's sizes run together). */
export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
	const {values} = parseArgs({
		args: [...argv],
		options: {
			sizes: {type: 'string'},
			db: {type: 'string'},
			scheme: {type: 'string', default: 'http'},
			hang: {type: 'string'},
			'connection-close': {type: 'boolean', default: false},
			interval: {type: 'string'},
			checks: {type: 'string', default: '2'},
			workers: {type: 'string'},
			addresses: {type: 'string', default: '254'},
			ports: {type: 'string', default: '8'},
			'cpu-prof': {type: 'boolean', default: false},
			out: {type: 'string', default: 'bench-results'},
			quick: {type: 'boolean', default: false},
			'no-writer': {type: 'boolean', default: false},
			keep: {type: 'boolean', default: false},
			help: {type: 'boolean', short: 'h', default: false},
		},
		strict: true,
		allowPositionals: false,
	});
	const sizes = wholeNumbers(values.sizes ?? (values.quick ? '1000' : '10000'), 'sizes', 1);
	const databases = oneOf<BenchDatabaseKind>(values.db ?? (env.DATABASE_URL ? 'pglite,postgres' : 'pglite'), 'db', ['pglite', 'postgres']);
	if (databases.includes('postgres') && !env.DATABASE_URL) {
		throw new BenchUsageError('--db postgres needs DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test');
	}

	const schemes = oneOf(values.scheme, 'scheme', ['http', 'https'] as const);
	const hangs: Array<number | undefined> = values.hang === undefined ? [undefined] : list(values.hang, 'hang').map(item => {
		const percent = Number(item);
		if (!(percent >= 0 && percent <= 100)) {
			throw new BenchUsageError(`--hang: "${item}" is not a percentage from 0 to 100`);
		}

		return percent;
	});
	const intervalText = values.interval ?? (values.quick ? '5-15' : '5-300');
	const interval = /^(\d+)-(\d+)$/.exec(intervalText);
	if (!interval || Number(interval[1]) < 1 || Number(interval[2]) < Number(interval[1])) {
		throw new BenchUsageError(`--interval: "${intervalText}" is not MIN-MAX in whole seconds, 1 <= MIN <= MAX`);
	}

	const [checks] = wholeNumbers(values.checks, 'checks', 1);
	const workers = values.workers === undefined ? undefined : wholeNumbers(values.workers, 'workers', 0)[0];
	const [addresses] = wholeNumbers(values.addresses, 'addresses', 1);
	const [ports] = wholeNumbers(values.ports, 'ports', 1);
	if (addresses! > 254) {
		throw new BenchUsageError('--addresses: at most 254 (127.0.1.1-127.0.1.254)');
	}

	const matrix: BenchRunConfig[] = [];
	for (const db of databases) {
		for (const scheme of schemes) {
			for (const hangPercent of hangs) {
				for (const sites of sizes) {
					matrix.push({
						sites,
						db,
						scheme,
						hangPercent,
						connectionClose: values['connection-close'],
						intervalSeconds: [Number(interval[1]), Number(interval[2])],
						checks: checks!,
						workers,
						cpuProf: values['cpu-prof'],
						addresses: addresses!,
						ports: ports!,
					});
				}
			}
		}
	}

	return {matrix, out: values.out, writer: !values['no-writer'], keep: values.keep, help: values.help};
}
