/**
One cell of the benchmark matrix, its name, and the fleet's and the CLI's flags it implies.
*/
import type {BenchDatabaseKind} from './bench-database.js';

/** One cell of the benchmark matrix. */
export type BenchRunConfig = {
	readonly sites: number;
	readonly db: BenchDatabaseKind;
	readonly scheme: 'http' | 'https';
	/** Share of hanging sites, %; undefined keeps the bench mix's own 1%. */
	readonly hangPercent: number | undefined;
	readonly connectionClose: boolean;
	readonly intervalSeconds: readonly [number, number];
	readonly checks: number;
	readonly workers: number | undefined;
	readonly cpuProf: boolean;
	/** Fleet shape: loopback addresses × ports per address = origins per scheme. */
	readonly addresses: number;
	readonly ports: number;
	/**
	Sites per origin: the list uses ceil(sites / N) of the fleet's origins (one per address first),
	so that many sites share a host; undefined spreads the sites over every origin the fleet serves.
	*/
	readonly sitesPerOrigin: number | undefined;
	/** `--timeout` of the CLI, seconds; undefined keeps the CLI's own default (10 s). */
	readonly timeoutSeconds: number | undefined;
	/** The named case (`--case`) this run comes from, if any. */
	readonly caseName: string | undefined;
};

/** Origins the fleet serves per scheme. */
export function originsServed(config: Pick<BenchRunConfig, 'addresses' | 'ports'>): number {
	return config.addresses * config.ports;
}

/** Origins the run's site list uses. */
export function originsUsed(config: Pick<BenchRunConfig, 'sites' | 'sitesPerOrigin' | 'addresses' | 'ports'>): number {
	return config.sitesPerOrigin === undefined
		? Math.min(config.sites, originsServed(config))
		: Math.ceil(config.sites / config.sitesPerOrigin);
}

/** `10000 http pglite hang1% keep-alive`-style name of a matrix cell (the site count first). */
export function runLabel(config: BenchRunConfig): string {
	const hang = config.hangPercent === undefined ? 'hang1%' : `hang${config.hangPercent}%`;
	return [
		String(config.sites),
		config.scheme,
		config.db,
		hang,
		config.connectionClose ? 'close' : 'keep-alive',
		...(config.workers === undefined ? [] : [`w${config.workers}`]),
		...(config.sitesPerOrigin === undefined ? [] : [`${config.sitesPerOrigin}/origin`]),
		...(config.timeoutSeconds === undefined ? [] : [`timeout${config.timeoutSeconds}s`]),
		...(config.caseName === undefined ? [] : [`[${config.caseName}]`]),
	].join(' ');
}

/** Fleet-cli's flags for a run. */
export function fleetArgs(config: BenchRunConfig, csv: string, fleetLog: string): string[] {
	return [
		'--sites', String(config.sites),
		'--csv', csv,
		'--log', fleetLog,
		'--addresses', String(config.addresses),
		'--ports', String(config.ports),
		'--interval', `${config.intervalSeconds[0]}-${config.intervalSeconds[1]}`,
		...(config.scheme === 'https' ? ['--https'] : []),
		...(config.connectionClose ? ['--connection-close'] : []),
		...(config.hangPercent === undefined ? [] : ['--hang-percent', String(config.hangPercent)]),
		...(config.sitesPerOrigin === undefined ? [] : ['--origins', String(originsUsed(config))]),
	];
}

/** The CLI's flags for a run, beside the site list, the output format and the database. */
export function cliRunArgs(config: BenchRunConfig): string[] {
	return [
		'--number-healthchecks', String(config.checks),
		...(config.workers === undefined ? [] : ['--workers', String(config.workers)]),
		...(config.timeoutSeconds === undefined ? [] : ['--timeout', String(config.timeoutSeconds)]),
	];
}
