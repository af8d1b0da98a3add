import {peakRssBytes, rssSlopeMiBPerHour} from './bench-process-sampler.js';
import {formatSharingTable, judgeSharing, sharingGoal} from './bench-report-sharing.js';
import type {BenchRunResult} from './bench-run-one.js';
import {goalCell, maybe, mib, ms, table} from './bench-table.js';

/**
Turns run results into the goal verdicts, the console tables and the JSON document. The goal of
issue 4: p99 lateness <= 1 s, no result lost, peak RSS <= 1 GiB, on both databases. Issue 10's
(hosts shared by many sites) is judged in bench-report-sharing.ts.
*/

/** The goal's limits. */
export const benchGoal = {
	latenessP99Ms: 1000,
	rssBytes: 1024 * 1024 * 1024,
} as const;

/** One run measured against the goal. */
export type GoalVerdict = {
	/** P99 lateness of sites that answer (hanging sites are reported apart). */
	readonly latenessOk: boolean;
	/** Every scheduled slot is a stored row and an NDJSON line. */
	readonly noneLost: boolean;
	readonly rssOk: boolean;
	/** Exit code 0 before the deadline. */
	readonly finished: boolean;
	readonly met: boolean;
	/** Rows missing from the database: expected − stored. */
	readonly lost: number | undefined;
};

/** The verdict for one run. */
export function judge(result: BenchRunResult): GoalVerdict {
	const {analysis, stored, cli} = result;
	const latenessOk = analysis.lateness.responsive.count > 0 && analysis.lateness.responsive.p99 <= benchGoal.latenessP99Ms;
	const lost = stored === undefined ? undefined : analysis.expectedResults - stored;
	const noneLost = lost === 0 && analysis.ndjsonLines === analysis.expectedResults;
	const rssOk = peakRssBytes(cli.usage) > 0 && peakRssBytes(cli.usage) <= benchGoal.rssBytes;
	const finished = cli.exitCode === 0 && !cli.timedOut;
	return {latenessOk, noneLost, rssOk, finished, met: latenessOk && noneLost && rssOk && finished, lost};
}

/** CPU milliseconds the CLI spent per check it ran (skipped slots cost nearly nothing). */
export function cpuMsPerCheck(result: BenchRunResult): number | undefined {
	const checks = result.analysis.checksRun;
	return checks > 0 ? (result.cli.cpuSeconds * 1000) / checks : undefined;
}

/** The CLI's CPU per check as a multiple of the reference loop's per request on the same fleet (issue 13). */
export function cpuRatioToReference(result: BenchRunResult): number | undefined {
	const perCheck = cpuMsPerCheck(result);
	return perCheck === undefined || result.reference === undefined ? undefined : perCheck / result.reference.cpuMsPerRequest;
}

/** The console tables: what the fleet saw, what the CLI cost, and issue 10's figures. */
export function formatTables(results: readonly BenchRunResult[]): string {
	const lateness = table(
		['run', 'offered/s', 'peak/s', 'late p50', 'p90', 'p99', 'max', 'hang p99', 'tool p99', 'skipped', 'expected', 'ndjson', 'served', 'stored', 'lost', 'false down', 'unserved'],
		results.map(result => {
			const {analysis: a} = result;
			const verdict = judge(result);
			return [
				result.label,
				a.offeredPerSecond.toFixed(0),
				a.peakServedPerSecond.toFixed(0),
				ms(a.lateness.responsive.p50),
				ms(a.lateness.responsive.p90),
				ms(a.lateness.responsive.p99),
				ms(a.lateness.responsive.max),
				a.lateness.hanging.count > 0 ? ms(a.lateness.hanging.p99) : '-',
				ms(a.toolLateness.p99),
				String(a.skipped),
				String(a.expectedResults),
				String(a.ndjsonLines),
				String(a.requestsServed),
				maybe(result.stored),
				maybe(verdict.lost),
				String(a.falseDown),
				String(a.unserved),
			];
		}),
	);
	const cost = table(
		['run', 'cpu ms/check', 'bare ms/req', 'x bare', 'cpu s', 'sys s', 'peak rss MiB', 'rss MiB/h', 'loop p99 max', 'final limit', 'startup s', 'wall s', 'exit', 'nofile', 'fleet cpu s', 'issue 4'],
		results.map(result => {
			const verdict = judge(result);
			return [
				result.label,
				maybe(cpuMsPerCheck(result), value => value.toFixed(2)),
				maybe(result.reference?.cpuMsPerRequest, value => value.toFixed(3)),
				maybe(cpuRatioToReference(result), value => value.toFixed(2)),
				result.cli.cpuSeconds.toFixed(1),
				maybe(result.cli.systemCpuSeconds, value => value.toFixed(1)),
				mib(peakRssBytes(result.cli.usage)),
				maybe(rssSlopeMiBPerHour(result.cli.usage), value => value.toFixed(1)),
				maybe(result.cli.loopP99MaxMs),
				maybe(result.cli.lastSummary?.limit),
				maybe(result.cli.startupSeconds, value => value.toFixed(1)),
				result.cli.wallSeconds.toFixed(0),
				result.cli.timedOut ? 'deadline' : String(result.cli.exitCode),
				result.cli.openFileLimit?.split(' ', 1)[0] ?? '-',
				result.fleet.usage.cpuSeconds.toFixed(1),
				goalCell([[verdict.latenessOk, 'p99'], [verdict.noneLost, 'lost'], [verdict.rssOk, 'rss'], [verdict.finished, 'exit']]),
			];
		}),
	);
	return `${lateness}\n\n${cost}\n\n${formatSharingTable(results)}`;
}

/** For every combination but size, the largest fleet that kept p99 <= 1 s (and the one that failed). */
export function largestPassing(results: readonly BenchRunResult[]): string[] {
	const groups = new Map<string, BenchRunResult[]>();
	for (const result of results) {
		const key = result.label.split(' ').slice(1).join(' ');
		groups.set(key, [...groups.get(key) ?? [], result]);
	}

	return [...groups].map(([key, group]) => {
		const sorted = [...group].sort((a, b) => a.config.sites - b.config.sites);
		const passing = sorted.filter(result => judge(result).latenessOk);
		const failing = sorted.find(result => !judge(result).latenessOk);
		const best = passing.at(-1);
		const largest = best ? `${best.config.sites} sites (p99 ${ms(best.analysis.lateness.responsive.p99)} ms)` : 'none of the sizes run';
		const next = failing ? `; ${failing.config.sites} sites had p99 ${ms(failing.analysis.lateness.responsive.p99)} ms` : '';
		return `${key}: largest with p99 <= 1 s: ${largest}${next}`;
	});
}

/** The JSON document: every run in full, with its verdict. */
export function benchJson(results: readonly BenchRunResult[], meta: Record<string, unknown>): string {
	return JSON.stringify({
		...meta,
		goal: benchGoal,
		sharingGoal,
		runs: results.map(result => ({
			...result,
			verdict: judge(result),
			sharingVerdict: judgeSharing(result),
			cpuMsPerCheck: cpuMsPerCheck(result),
			cpuRatioToReference: cpuRatioToReference(result),
			rssSlopeMiBPerHour: rssSlopeMiBPerHour(result.cli.usage),
		})),
	}, null, '\t');
}
