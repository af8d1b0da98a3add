import {systemClock, type Clock} from '../engine/types.js';
import type {BatchedResultWriter} from '../storage/index.js';
import type {RunningMonitor} from '../workers/create-monitor.js';
import {stopMarginMs} from '../workers/sharded-monitor.js';
import {forcedExitCode, type ForceCause} from './shutdown-controller.js';

/** What a forced stop works on. */
export type ForcedStopOptions = {
	readonly engine: RunningMonitor;
	readonly writer: BatchedResultWriter;
	readonly force: ForceCause;
	/** The deadline of one check, ms. */
	readonly timeoutMs: number;
	readonly log: (line: string) => void;
	/** Time for the wait's bound; default the system's. */
	readonly clock?: Clock;
};

/**
A forced stop: aborts the checks in flight, waits for their results, journals every result not
stored yet, and says exactly how many were journaled and how many could not be. Resolves with the
forcing signal's exit code.

The wait: an aborted check ends at once (the abort cancels its request), but its result still has
to arrive. On this thread that is a few event-loop turns; a shard reports within one publish
period, and one silent `stopMarginMs` after the abort is terminated, its checks becoming
`worker_crash` rows. The wait is also bounded by `timeoutMs + stopMarginMs`, because no check
outlives its deadline, which the prober enforces whether or not an abort reached it: only a bug gets
there, and then the checks still out are counted as lost instead of hanging the exit.
*/
export async function forcedStop(options: ForcedStopOptions): Promise<number> {
	const {engine, writer, force, log} = options;
	const aborted = engine.inFlight;
	engine.abortInFlight();
	const boundMs = options.timeoutMs + stopMarginMs;
	const reported = await settlesWithin(engine.stop(), boundMs, options.clock ?? systemClock);
	const unreported = reported ? 0 : engine.inFlight;
	// Only now: every result that arrived is in the writer, and closing it journals them all. A batch
	// the database is writing meanwhile may still commit: its rows are journaled all the same.
	const {writing} = writer.stats();
	// Resolves with the rows really journaled; those the journal could not take are counted as lost.
	await writer.closeNow();
	const {journaled, lost} = writer.stats();
	const where = writer.journalDirectory ?? '(no journal)';
	let line = `${force.label}: aborted ${aborted} checks in flight; ${journaled} results journaled in ${where}`;
	if (journaled > 0) {
		line += '; they are stored at the next start';
	}

	if (writing > 0) {
		line += ` (${Math.min(writing, journaled)} of them were being written to the database as it stopped, and may be stored already: storing them again is harmless)`;
	}

	if (lost > 0) {
		line += `; ${lost} results could be neither stored nor journaled and are lost`;
	}

	if (unreported > 0) {
		line += `; ${unreported} checks did not report within ${boundMs / 1000} s and are lost`;
	}

	log(line);
	return forcedExitCode(force);
}

/** Whether `promise` settled within `ms` of `clock`'s time. */
async function settlesWithin(promise: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
	let timer: unknown;
	const late = new Promise<false>(resolve => {
		timer = clock.setTimer(() => {
			resolve(false);
		}, ms);
	});
	try {
		return await Promise.race([promise.then(() => true), late]);
	} finally {
		clock.clearTimer(timer);
	}
}
