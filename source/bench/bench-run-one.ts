import type {ChildProcess} from 'node:child_process';
import {closeSync, openSync} from 'node:fs';
import {mkdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {analyseRun, parseFleetLog, parseNdjson, parseSitesCsv, type BenchAnalysis} from './bench-analysis.js';
import {summariseProfiles, type ProfileSummary} from './bench-cpu-profile.js';
import {createBenchDatabase} from './bench-database.js';
import {sampleProcessTree, type ProcessTreeUsage} from './bench-process-sampler.js';
import {measureReferenceLoop, type ReferenceLoop} from './bench-reference.js';
import {eachLine, exitedWithin, parseTimes, signalProcess, spawnWrapped, stopIfRunning} from './bench-spawn.js';
import {cliRunArgs, fleetArgs, originsUsed, runLabel, type BenchRunConfig} from './bench-run-config.js';
import {parseSummaryLine, type SummaryFields} from './bench-summary-line.js';
import {fleetTlsPaths} from './fleet-tls.js';

/** Where and how to run it. */
export type BenchRunContext = {
	readonly packageRoot: string;
	/** Scratch directory of this run (logs, CSV, PGlite). */
	readonly scratch: string;
	/** Where `--cpu-prof` files go. */
	readonly profileDir: string;
	/** DATABASE_URL of the PostgreSQL server, for `db: 'postgres'`. */
	readonly serverUrl: string | undefined;
	/** Progress lines. */
	readonly log: (line: string) => void;
};

export type {BenchRunConfig} from './bench-run-config.js';
export {runLabel} from './bench-run-config.js';

/** What one run measured. */
export type BenchRunResult = {
	readonly label: string;
	readonly config: BenchRunConfig;
	/** Origins the site list used (ceil(sites / sitesPerOrigin), or every origin the fleet serves). */
	readonly origins: number;
	readonly startedAt: string;
	readonly analysis: BenchAnalysis;
	/** Rows in `healthcheck` after the run; undefined when the count failed. */
	readonly stored: number | undefined;
	readonly cli: {
		readonly exitCode: number | null;
		readonly timedOut: boolean;
		readonly wallSeconds: number;
		/** Spawn to the "monitoring N sites" line (migrations and the site upsert). */
		readonly startupSeconds: number | undefined;
		readonly cpuSeconds: number;
		/** Kernel share of `cpuSeconds` (sockets, files); undefined without `times`. */
		readonly systemCpuSeconds: number | undefined;
		/** `times` when the wrapper printed it, else the last /proc sample. */
		readonly cpuSource: 'times' | 'proc';
		readonly usage: ProcessTreeUsage;
		readonly openFileLimit: string | undefined;
		readonly lastSummary: SummaryFields | undefined;
		/** Every summary line, with seconds since spawn: how the limit moved and why. */
		readonly summaries: ReadonlyArray<{readonly atSeconds: number} & Omit<SummaryFields, 'brief'>>;
		readonly loopP99MaxMs: number | undefined;
		readonly stderrTail: readonly string[];
	};
	readonly fleet: {readonly usage: ProcessTreeUsage; readonly openFileLimit: string | undefined};
	/** A bare undici loop on the same fleet just before the CLI ran (bench-reference.ts). */
	readonly reference: ReferenceLoop | undefined;
	readonly profiles: readonly ProfileSummary[];
};

async function startFleetProcess(context: BenchRunContext, argv: string[]) {
	const fleet = spawnWrapped({argv, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], reportTimes: false});
	let openFileLimit: string | undefined;
	void eachLine(fleet.child.stderr!, line => {
		if (line.startsWith('bench-nofile ')) {
			openFileLimit = line.slice('bench-nofile '.length);
		} else {
			context.log(`fleet: ${line}`);
		}
	});
	const ready = new Promise<boolean>(resolve => {
		void eachLine(fleet.child.stdout!, line => {
			if (line === 'fleet ready') {
				resolve(true);
			} else if (line.startsWith('origins: ')) {
				// How many origins the fleet serves and the site list uses: the run's sharing, confirmed.
				context.log(`fleet: ${line}`);
			}
		}).then(() => resolve(false));
	});
	// Generating and writing 100,000 sites takes a few seconds; two minutes means something is wrong.
	if (!await Promise.race([ready, new Promise<false>(resolve => setTimeout(() => resolve(false), 120_000).unref())])) {
		stopIfRunning(fleet.child, 'SIGKILL');
		throw new Error('the fleet did not print "fleet ready" (see its lines above)');
	}

	return {fleet, openFileLimit: () => openFileLimit};
}

/**
Runs the CLI once against a fresh fleet and a fresh database, then analyses what both logged. The
fleet runs as a separate process so its CPU is not charged to the tool.
*/
export async function runBenchOnce(config: BenchRunConfig, context: BenchRunContext): Promise<BenchRunResult> {
	const label = runLabel(config);
	const startedAt = new Date().toISOString();
	await mkdir(context.scratch, {recursive: true});
	const csv = path.join(context.scratch, 'sites.csv');
	const fleetLog = path.join(context.scratch, 'fleet-requests.csv');
	const ndjson = path.join(context.scratch, 'checks.ndjson');
	const dist = path.join(context.packageRoot, 'dist');

	const database = await createBenchDatabase(config.db, context.scratch, context.serverUrl);
	let fleetChild: ChildProcess | undefined;
	try {
		const {fleet, openFileLimit: fleetLimit} = await startFleetProcess(context, [
			process.execPath, path.join(dist, 'bench', 'fleet-cli.js'), ...fleetArgs(config, csv, fleetLog),
		]);
		fleetChild = fleet.child;
		const reference = await measureReferenceLoop(dist, csv, context.log);
		if (reference) {
			context.log(`${label}: reference loop ${reference.requestsPerSecond.toFixed(0)} requests/s, ${reference.cpuMsPerRequest.toFixed(3)} ms CPU per request (${reference.errors} errors)`);
		}

		const fleetSampler = sampleProcessTree(fleet.child.pid!);
		const {DATABASE_URL: _ignored, ...env} = process.env;
		const childEnv: NodeJS.ProcessEnv = {
			...env,
			NODE_EXTRA_CA_CERTS: fleetTlsPaths.ca,
			...(database.databaseUrl !== undefined && {DATABASE_URL: database.databaseUrl}),
		};
		// The V8 flags the launcher's shebang gives (see bin/webmon-tui.js), read from it so they stay the same.
		const launcher = path.join(context.packageRoot, 'bin', 'webmon-tui.js');
		const shebang = (await readFile(launcher, 'utf8')).split('\n', 1)[0]!;
		const nodeFlags = [...shebang.split(/\s+/).filter(word => word.startsWith('--')), ...(config.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', context.profileDir] : [])];
		const argv = [
			process.execPath, ...nodeFlags, launcher,
			'--sites-csv', csv, '--no-tui', '--format', 'ndjson',
			...cliRunArgs(config),
			...database.args,
		];
		if (config.cpuProf) {
			await mkdir(context.profileDir, {recursive: true});
		}

		const stdoutFd = openSync(ndjson, 'w');
		const spawnedAt = Date.now();
		const cli = spawnWrapped({argv, env: childEnv, stdio: ['ignore', stdoutFd, 'pipe'], reportTimes: true, cwd: context.packageRoot});
		closeSync(stdoutFd);
		const cliPid = await cli.programPid;
		const cliSampler = sampleProcessTree(cliPid);
		const stderrLines: string[] = [];
		let openFileLimit: string | undefined;
		let startupSeconds: number | undefined;
		let lastSummary: SummaryFields | undefined;
		const summaries: Array<{atSeconds: number} & Omit<SummaryFields, 'brief'>> = [];
		let loopP99MaxMs: number | undefined;
		const stderrDone = eachLine(cli.child.stderr!, line => {
			stderrLines.push(line);
			if (stderrLines.length > 400) {
				stderrLines.splice(0, 200);
			}

			const seconds = ((Date.now() - spawnedAt) / 1000).toFixed(0);
			if (line.startsWith('bench-nofile ')) {
				openFileLimit = line.slice('bench-nofile '.length);
				return;
			}

			const summary = parseSummaryLine(line);
			if (summary) {
				lastSummary = summary;
				const {brief: _brief, ...fields} = summary;
				summaries.push({atSeconds: Math.round((Date.now() - spawnedAt) / 1000), ...fields});
				loopP99MaxMs = Math.max(loopP99MaxMs ?? 0, summary.loopP99Ms ?? 0);
				context.log(`${label} +${seconds}s ${summary.brief}`);
				return;
			}

			if (startupSeconds === undefined && line.includes('monitoring ')) {
				startupSeconds = (Date.now() - spawnedAt) / 1000;
			}

			if (!/^bench-times$|^\d+m[\d.]+s \d+m[\d.]+s$/.test(line)) {
				context.log(`${label} +${seconds}s ${line}`);
			}
		});

		// Every site's checks fit in checks × the longest interval after start-up; beyond a generous
		// margin the run is stuck, and the benchmark must stop by itself.
		const deadlineMs = ((config.checks * config.intervalSeconds[1]) + 180 + (config.sites / 200)) * 1000;
		let timedOut = false;
		if (!await exitedWithin(cli.exited, deadlineMs)) {
			timedOut = true;
			context.log(`${label}: still running after ${Math.round(deadlineMs / 1000)} s; sending SIGTERM`);
			signalProcess(cliPid, 'SIGTERM');
			if (!await exitedWithin(cli.exited, 30_000)) {
				context.log(`${label}: no exit 30 s after SIGTERM; sending SIGKILL`);
				signalProcess(cliPid, 'SIGKILL');
			}
		}

		const {code} = await cli.exited;
		await stderrDone;
		const wallSeconds = (Date.now() - spawnedAt) / 1000;
		const usage = await cliSampler.stop();
		const timesCpu = parseTimes(stderrLines);

		const fleetUsage = await fleetSampler.stop();
		stopIfRunning(fleet.child, 'SIGTERM');
		if (!await exitedWithin(fleet.exited, 30_000)) {
			context.log(`${label}: fleet did not close in 30 s; killing it (its log may be short)`);
			stopIfRunning(fleet.child, 'SIGKILL');
			await fleet.exited;
		}

		const stored = await database.countStored().catch((error: unknown) => {
			context.log(`${label}: could not count stored rows: ${(error as Error).message}`);
			return undefined;
		});
		const [sitesText, ndjsonText, fleetText] = await Promise.all([
			readFile(csv, 'utf8'), readFile(ndjson, 'utf8'), readFile(fleetLog, 'utf8'),
		]);
		const parsed = parseNdjson(ndjsonText);
		const analysis = analyseRun({
			sites: parseSitesCsv(sitesText),
			checks: parsed.checks,
			arrivals: parseFleetLog(fleetText),
			checksPerSite: config.checks,
			malformedLines: parsed.malformed,
			...(config.timeoutSeconds !== undefined && {timeoutMs: config.timeoutSeconds * 1000}),
		});
		const profiles = config.cpuProf ? await summariseProfiles(context.profileDir, context.packageRoot) : [];
		return {
			label,
			config,
			origins: originsUsed(config),
			startedAt,
			analysis,
			stored,
			cli: {
				exitCode: code,
				timedOut,
				wallSeconds,
				startupSeconds,
				cpuSeconds: timesCpu === undefined ? usage.cpuSeconds : timesCpu.userSeconds + timesCpu.systemSeconds,
				systemCpuSeconds: timesCpu?.systemSeconds,
				cpuSource: timesCpu === undefined ? 'proc' : 'times',
				usage,
				openFileLimit,
				lastSummary,
				summaries,
				loopP99MaxMs,
				stderrTail: stderrLines.filter(line => !line.startsWith('summary:')).slice(-20),
			},
			fleet: {usage: fleetUsage, openFileLimit: fleetLimit()},
			reference,
			profiles,
		};
	} finally {
		if (fleetChild) {
			stopIfRunning(fleetChild, 'SIGKILL');
		}

		await database.dispose().catch((error: unknown) => {
			context.log(`${label}: could not drop ${database.describe}: ${(error as Error).message}`);
		});
	}
}
