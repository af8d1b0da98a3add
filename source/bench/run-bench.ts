/**
The benchmark (issue 4): runs the real CLI headless against a loopback fleet in another process,
on PGlite and on PostgreSQL, and reports what the fleet saw (lateness measured by the server) and
what the CLI cost. `npm run bench -- --help` lists the flags; the README's Development section and
the usage text give the default matrix and the full one.

Only 127.0.0.0/8 is contacted; every run has a deadline and stops by itself.
*/
import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {availableParallelism, cpus, tmpdir, totalmem} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {formatProfile} from './bench-cpu-profile.js';
import type {BenchDatabaseKind} from './bench-database.js';
import {benchUsage, BenchUsageError, parseBenchOptions} from './bench-options.js';
import {benchJson, formatTables, largestPassing} from './bench-report.js';
import {runBenchOnce, runLabel, type BenchRunResult} from './bench-run-one.js';
import {formatStartupTable, runStartupBench, type StartupResult} from './bench-startup.js';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

function log(line: string): void {
	process.stderr.write(`bench: ${line}\n`);
}

type WriterBenchModule = {runWriterBench?: (options: Record<string, unknown>) => unknown};

/**
The writer benchmark lives in its own module (another part of issue 4); it runs when present, and
its absence is said, not hidden.
*/
async function writerBench(enabled: boolean): Promise<unknown> {
	if (!enabled) {
		log('writer benchmark skipped (--no-writer)');
		return undefined;
	}

	// A variable specifier: the module may not exist yet, and the build must not depend on it.
	const specifier = './writer-bench.js';
	let module: WriterBenchModule;
	try {
		module = await import(specifier) as WriterBenchModule;
	} catch (error) {
		log(`writer benchmark skipped: ${specifier} is not built (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
		return undefined;
	}

	if (typeof module.runWriterBench !== 'function') {
		log(`writer benchmark skipped: ${specifier} exports no runWriterBench`);
		return undefined;
	}

	log('writer benchmark: running');
	const result = await module.runWriterBench({databaseUrl: process.env.DATABASE_URL, log});
	if (typeof result === 'string') {
		console.log(result);
	} else if (result && typeof result === 'object' && 'table' in result && typeof result.table === 'string') {
		console.log(result.table);
	}

	return result;
}

/**
The code under test: other work lands in the same tree while benchmarks run, so a result names
the commit and whether the tree had local changes.
*/
function codeVersion(): {commit: string; changedFiles: number} | undefined {
	try {
		const git = (...args: string[]) => execFileSync('git', args, {cwd: packageRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
		return {commit: git('rev-parse', 'HEAD').trim(), changedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length};
	} catch {
		return undefined;
	}
}

async function main(): Promise<number> {
	let options;
	try {
		options = parseBenchOptions(process.argv.slice(2), process.env);
	} catch (error) {
		if (error instanceof BenchUsageError || (error as {code?: string}).code?.startsWith('ERR_PARSE_ARGS')) {
			console.error(`bench: ${(error as Error).message}\n${benchUsage}`);
			return 2;
		}

		throw error;
	}

	if (options.help) {
		console.log(benchUsage);
		return 0;
	}

	if (!existsSync(path.join(packageRoot, 'dist', 'cli.js'))) {
		log('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`');
		return 2;
	}

	if (process.platform !== 'linux') {
		log('the benchmark reads /proc for CPU and memory; it runs on Linux only');
		return 2;
	}

	const stamp = new Date().toISOString().replaceAll(/[.:]/g, '-');
	const out = path.resolve(packageRoot, options.out);
	await mkdir(out, {recursive: true});
	const jsonPath = path.join(out, `bench-${stamp}.json`);
	const scratchRoot = await mkdtemp(path.join(tmpdir(), 'webmon-bench-'));
	const meta = {
		startedAt: new Date().toISOString(),
		argv: process.argv.slice(2),
		machine: {
			cpus: availableParallelism(),
			cpuModel: cpus()[0]?.model,
			memoryBytes: totalmem(),
			node: process.version,
		},
		database: process.env.DATABASE_URL ? 'DATABASE_URL set' : 'no DATABASE_URL (PGlite only)',
		code: codeVersion(),
	};
	if (options.startupRows) {
		return startupMain(options.startupRows, options.startupDbs, {scratchRoot, jsonPath, meta, keep: options.keep});
	}

	log(`${options.matrix.length} runs on ${meta.machine.cpus} cores, ${process.version}; JSON: ${jsonPath}`);
	for (const config of options.matrix) {
		log(`  ${runLabel(config)}, intervals ${config.intervalSeconds.join('-')} s, ${config.checks} checks per site`);
	}

	const results: BenchRunResult[] = [];
	const failures: Array<{label: string; error: string}> = [];
	const save = async (writer?: unknown) => writeFile(jsonPath, benchJson(results, {...meta, failures, writer}) + '\n');
	let interrupted = false;
	process.once('SIGINT', () => {
		interrupted = true;
		log('SIGINT: finishing after the current run (children got the signal too)');
	});
	for (const [index, config] of options.matrix.entries()) {
		if (interrupted) {
			break;
		}

		const label = runLabel(config);
		const scratch = path.join(scratchRoot, `run-${index + 1}`);
		log(`run ${index + 1}/${options.matrix.length}: ${label}`);
		try {
			const result = await runBenchOnce(config, {
				packageRoot,
				scratch,
				profileDir: path.join(out, `profiles-${stamp}`, `run-${index + 1}`),
				serverUrl: process.env.DATABASE_URL,
				log,
			});
			results.push(result);
			console.log(`\n${formatTables([result])}\n`);
			for (const profile of result.profiles.slice(0, 4)) {
				console.log(formatProfile(profile).join('\n'));
			}
		} catch (error) {
			log(`run ${label} failed: ${(error as Error).stack ?? String(error)}`);
			failures.push({label, error: (error as Error).message});
		}

		await save();
		if (options.keep) {
			log(`scratch files kept in ${scratch}`);
		} else {
			await rm(scratch, {recursive: true, force: true});
		}
	}

	const writer = interrupted
		? undefined
		: await writerBench(options.writer).catch((error: unknown) => {
			log(`writer benchmark failed: ${(error as Error).message}`);
			return {error: (error as Error).message};
		});
	await save(writer);
	if (!options.keep) {
		await rm(scratchRoot, {recursive: true, force: true});
	}

	if (results.length > 0) {
		console.log('\nAll runs (lateness in ms, measured by the fleet; "late" = sites that answer, "hang p99" = hanging sites):\n');
		console.log(formatTables(results));
		console.log('');
		for (const line of largestPassing(results)) {
			console.log(line);
		}
	}

	for (const failure of failures) {
		console.log(`FAILED ${failure.label}: ${failure.error}`);
	}

	console.log(`\nJSON: ${jsonPath}`);
	return failures.length > 0 ? 1 : 0;
}

/** `--startup-rows`: every count on every database, a first start and a restart each. */
async function startupMain(
	rowCounts: readonly number[],
	databases: readonly BenchDatabaseKind[],
	run: {scratchRoot: string; jsonPath: string; meta: Record<string, unknown>; keep: boolean},
): Promise<number> {
	const results: StartupResult[] = [];
	const failures: string[] = [];
	// One after another: two starts at once would share the cores and measure each other.
	const runs = rowCounts.flatMap(rows => databases.map(db => ({rows, db})));
	await runs.reduce(async (previous, {rows, db}) => {
		await previous;
		const scratch = path.join(run.scratchRoot, `startup-${rows}-${db}`);
		try {
			results.push(...await runStartupBench(rows, db, {packageRoot, scratch, serverUrl: process.env.DATABASE_URL, log}));
		} catch (error) {
			log(`start-up ${rows} rows on ${db} failed: ${(error as Error).stack ?? String(error)}`);
			failures.push(`${rows} rows on ${db}: ${(error as Error).message}`);
		}
	}, Promise.resolve());

	await writeFile(run.jsonPath, `${JSON.stringify({...run.meta, startup: results, failures}, undefined, '\t')}\n`);
	if (!run.keep) {
		await rm(run.scratchRoot, {recursive: true, force: true});
	}

	console.log(`\nStart-up (spawn to first check line; peak RSS of the process tree until then):\n\n${formatStartupTable(results)}\n\nJSON: ${run.jsonPath}`);
	for (const failure of failures) {
		console.log(`FAILED ${failure}`);
	}

	return failures.length > 0 ? 1 : 0;
}

main().then(code => {
	process.exitCode = code;
}, (error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
