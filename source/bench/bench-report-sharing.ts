/**
Issue 10's goal (sites that share a host must not delay or fail each other, and the tool's own
lateness must agree with the fleet's log), its verdict per run, and its console table.
*/
import {noVerdictKinds} from '../engine/types.js';
import type {BenchRunResult} from './bench-run-one.js';
import {goalCell, maybe, ms, table} from './bench-table.js';

/** Issue 10's limits. */
export const sharingGoal = {
	/** Fleet-measured p99 lateness of sites that answer. */
	latenessP99Ms: 1000,
	/** Timeouts of sites built to answer within the deadline. */
	falseTimeouts: 0,
	/** |tool p99 − fleet p99|, over the same checks. */
	toolFleetP99DiffMs: 100,
} as const;

/** One run measured against issue 10's goal. */
export type SharingVerdict = {
	readonly fleetP99Ok: boolean;
	readonly noFalseTimeouts: boolean;
	/** Stored rows = first hops the fleet served + no-verdict rows: every served request is one row. */
	readonly rowsMatch: boolean;
	readonly toolAgrees: boolean;
	readonly met: boolean;
	/** First hops served + no-verdict rows: the rows the database should hold. */
	readonly servedPlusSkipped: number;
	/** Stored rows − `servedPlusSkipped`; undefined when the rows could not be counted. */
	readonly rowMismatch: number | undefined;
	/** Tool p99 − fleet p99 of sites that answer, ms. */
	readonly toolMinusFleetP99Ms: number;
	/** Whether the tool's lateness came from `sent_at` (else from `request_timestamp`, an older CLI). */
	readonly toolFromSentAt: boolean;
};

/**
The verdict for one run. Rows that are not requests (a check refused before it was sent) or requests
that are not rows (a retry, or a request of a slot recorded as skipped) both show as a mismatch.
*/
export function judgeSharing(result: Pick<BenchRunResult, 'analysis' | 'stored'>): SharingVerdict {
	const {analysis: a, stored} = result;
	const fleet = a.lateness.responsive;
	const tool = a.toolLatenessResponsive;
	// A worker_crash row stands for a request that did leave (its outcome was lost with the worker):
	// it is already among the requests served.
	const servedPlusSkipped = a.requestsServed + a.skipped - (a.skippedByReason.worker_crash ?? 0);
	const rowMismatch = stored === undefined ? undefined : stored - servedPlusSkipped;
	const toolMinusFleetP99Ms = tool.p99 - fleet.p99;
	const fleetP99Ok = fleet.count > 0 && fleet.p99 <= sharingGoal.latenessP99Ms;
	const noFalseTimeouts = a.falseTimeouts <= sharingGoal.falseTimeouts;
	const rowsMatch = rowMismatch === 0;
	const toolAgrees = tool.count > 0 && Math.abs(toolMinusFleetP99Ms) <= sharingGoal.toolFleetP99DiffMs;
	return {
		fleetP99Ok,
		noFalseTimeouts,
		rowsMatch,
		toolAgrees,
		met: fleetP99Ok && noFalseTimeouts && rowsMatch && toolAgrees,
		servedPlusSkipped,
		rowMismatch,
		toolMinusFleetP99Ms,
		toolFromSentAt: a.checksWithSentAt > 0,
	};
}

const signed = (value: number) => (value > 0 ? `+${ms(value)}` : ms(value));

/** Issue 10's table: fleet and tool lateness, false timeouts, skipped slots by reason, rows vs requests. */
export function formatSharingTable(results: ReadonlyArray<Pick<BenchRunResult, 'label' | 'origins' | 'analysis' | 'stored'>>): string {
	const reasons = [...noVerdictKinds];
	const rows = results.map(result => {
		const {analysis: a} = result;
		const verdict = judgeSharing(result);
		return [
			result.label,
			String(result.origins),
			ms(a.lateness.responsive.p50),
			ms(a.lateness.responsive.p99),
			ms(a.lateness.responsive.max),
			`${ms(a.toolLatenessResponsive.p99)}${verdict.toolFromSentAt ? '' : '*'}`,
			signed(verdict.toolMinusFleetP99Ms),
			String(a.falseTimeouts),
			...reasons.map(reason => String(a.skippedByReason[reason] ?? 0)),
			maybe(result.stored),
			String(verdict.servedPlusSkipped),
			maybe(verdict.rowMismatch, signed),
			goalCell([[verdict.fleetP99Ok, 'p99'], [verdict.noFalseTimeouts, '598'], [verdict.rowsMatch, 'rows'], [verdict.toolAgrees, 'tool']]),
		];
	});
	const header = ['run', 'origins', 'fleet p50', 'p99', 'max', 'tool p99', 'tool-fleet', 'false 598', ...reasons, 'rows', 'served+skip', 'mismatch', 'issue 10'];
	const notes = [
		`issue 10 goal: fleet p99 <= ${sharingGoal.latenessP99Ms} ms, ${sharingGoal.falseTimeouts} false timeouts, rows = served + skipped, |tool p99 - fleet p99| <= ${sharingGoal.toolFleetP99DiffMs} ms`,
		...(results.some(result => !judgeSharing(result).toolFromSentAt)
			? ['* no sent_at in the CLI\'s output (a build from before it): tool lateness is request_timestamp - scheduled_at']
			: []),
	];
	return [table(header, rows), ...notes].join('\n');
}
