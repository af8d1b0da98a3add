import {mkdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {createBenchDatabase, type BenchDatabaseKind} from './bench-database.js';
import {peakRssBytes, sampleProcessTree} from './bench-process-sampler.js';
import {eachLine, exitedWithin, signalProcess, spawnWrapped} from './bench-spawn.js';
import {goalCell, maybe, table} from './bench-table.js';
import {writeStartupCsv} from './startup-csv.js';

/**
Start-up at scale (issue 12): how long the real CLI takes from spawn to its first check line for a
sites file of N rows, and the peak memory of its process tree on the way, on a fresh database and
again with every site already stored (the usual restart).
*/

/** One start measured. */
export type StartupResult = {
	readonly rows: number;
	readonly db: BenchDatabaseKind;
	/** `first`: an empty database; `restart`: the same file again, every site already stored. */
	readonly start: 'first' | 'restart';
	/** Spawn to the `monitoring N sites` line: file read, database opened, sites stored. */
	readonly markerSeconds: number | undefined;
	/** Spawn to the first check line on stdout: the shards loaded and checking. */
	readonly firstCheckSeconds: number | undefined;
	/** Peak RSS of the process tree up to the first check (MiB). */
	readonly peakRssMiB: number;
	/** CPU seconds of the tree up to the first check (all threads). */
	readonly cpuSeconds: number;
	readonly exitCode: number | null;
};

/** Where and how to run it. */
export type StartupContext = {
	readonly packageRoot: string;
	readonly scratch: string;
	readonly serverUrl: string | undefined;
	readonly log: (line: string) => void;
};

/** Runs the first start and a restart of `rows` sites on `db`. */
export async function runStartupBench(rows: number, db: BenchDatabaseKind, context: StartupContext): Promise<StartupResult[]> {
	await mkdir(context.scratch, {recursive: true});
	const csv = path.join(context.scratch, `sites-${rows}.csv`);
	context.log(`start-up ${rows} rows: writing ${csv}`);
	await writeStartupCsv(csv, rows);
	const database = await createBenchDatabase(db, context.scratch, context.serverUrl);
	try {
		const first = await startOnce(rows, db, 'first', csv, database, context);
		const restart = await startOnce(rows, db, 'restart', csv, database, context);
		return [first, restart];
	} finally {
		await database.dispose();
	}
}

async function startOnce(
	rows: number,
	db: BenchDatabaseKind,
	start: StartupResult['start'],
	csv: string,
	database: Awaited<ReturnType<typeof createBenchDatabase>>,
	context: StartupContext,
): Promise<StartupResult> {
	const label = `start-up ${rows} rows, ${db}, ${start}`;
	const {DATABASE_URL: _ignored, ...env} = process.env;
	const launcher = path.join(context.packageRoot, 'bin', 'webmon-tui.js');
	// The launcher's own V8 flags (its shebang), so the measure is of the program as users run it.
	const shebang = (await readFile(launcher, 'utf8')).split('\n', 1)[0]!;
	const argv = [
		process.execPath, ...shebang.split(/\s+/).filter(word => word.startsWith('--')), launcher,
		'--sites-csv', csv, '--no-tui',
		// PGlite's directory is its own --data-dir; a server's journal goes to the scratch directory.
		...(database.args.includes('--data-dir') ? database.args : ['--data-dir', path.join(context.scratch, 'data'), ...database.args]),
	];
	const spawnedAt = performance.now();
	const cli = spawnWrapped({
		argv,
		env: {...env, ...(database.databaseUrl !== undefined && {DATABASE_URL: database.databaseUrl})},
		stdio: ['ignore', 'pipe', 'pipe'],
		reportTimes: false,
		cwd: context.packageRoot,
	});
	const sampler = sampleProcessTree(await cli.programPid, 200);
	const seconds = () => (performance.now() - spawnedAt) / 1000;
	let markerSeconds: number | undefined;
	const firstCheck = new Promise<number>(resolve => {
		void eachLine(cli.child.stdout!, () => {
			resolve(seconds());
		});
	});
	void eachLine(cli.child.stderr!, line => {
		if (markerSeconds === undefined && /monitoring \d+ sites/.test(line)) {
			markerSeconds = seconds();
		}

		if (!line.startsWith('summary:') && !line.startsWith('bench-nofile')) {
			context.log(`${label} +${seconds().toFixed(1)}s ${line}`);
		}
	});
	// A start that has not checked anything in ten minutes is broken; the benchmark stops by itself.
	const firstCheckSeconds = await Promise.race([
		firstCheck,
		cli.exited.then(() => undefined),
		new Promise<undefined>(resolve => {
			setTimeout(() => {
				resolve(undefined);
			}, 600_000).unref();
		}),
	]);
	const usage = await sampler.stop();
	signalProcess(await cli.programPid, 'SIGTERM');
	if (!await exitedWithin(cli.exited, 60_000)) {
		signalProcess(await cli.programPid, 'SIGKILL');
	}

	const {code} = await cli.exited;
	return {
		rows,
		db,
		start,
		markerSeconds,
		firstCheckSeconds,
		peakRssMiB: Math.round(peakRssBytes(usage) / 1_048_576),
		cpuSeconds: usage.cpuSeconds,
		exitCode: code,
	};
}

/** The start-up table: one row per start. */
export function formatStartupTable(results: readonly StartupResult[]): string {
	const seconds = (value: number) => value.toFixed(1);
	return table(
		['rows', 'db', 'start', 'marker s', 'first check s', 'peak RSS MiB', 'CPU s', 'goal (first check < 20 s, RSS < 1 GiB)'],
		results.map(result => [
			result.rows.toLocaleString('en'),
			result.db,
			result.start,
			maybe(result.markerSeconds, seconds),
			maybe(result.firstCheckSeconds, seconds),
			String(result.peakRssMiB),
			seconds(result.cpuSeconds),
			goalCell([
				[result.firstCheckSeconds !== undefined && result.firstCheckSeconds < 20, 'time'],
				[result.peakRssMiB < 1024, 'memory'],
			]),
		]),
	);
}
