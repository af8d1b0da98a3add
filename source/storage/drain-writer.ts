import {systemClock, type Clock} from '../engine/types.js';
import type {BatchedResultWriter, ResultWriterStats} from './batched-result-writer.js';

/** Exit code when the run stopped with results still only in the journal (sysexits EX_TEMPFAIL). */
export const exitResultsJournaled = 75;

/**
Exit code when the run stopped with results lost: the database could not store them and the journal
could not take them (a full, read-only or failing disk; sysexits EX_IOERR). It wins over 75.
*/
export const exitResultsLost = 74;

/** The exit code for a writer that closed: 0 when everything was stored, else 74 or 75. */
export function exitCodeAfterClose(stats: ResultWriterStats): number {
	if (stats.lost > 0) {
		return exitResultsLost;
	}

	return stats.queued > 0 ? exitResultsJournaled : 0;
}

/**
One line about a drain in progress, for the headless log and the UI's status line, e.g.
`storing 1,200 waiting results (database retrying, next try in 3 s; 1,200 safe in the journal)`.
*/
export function drainProgress(stats: ResultWriterStats): string {
	const count = (value: number) => value.toLocaleString('en-US');
	let text = `storing ${count(stats.queued)} waiting results (database ${stats.state}`;
	if (stats.nextRetryInMs !== undefined) {
		text += `, next try in ${Math.ceil(stats.nextRetryInMs / 1000)} s`;
	}

	if (stats.journaled > 0) {
		text += `; ${count(stats.journaled)} safe in the journal`;
	}

	if (stats.memoryOnly > 0) {
		text += `; ${count(stats.memoryOnly)} in memory only${stats.journalFault ? ` (journal: ${stats.journalFault})` : ''}`;
	}

	return `${text})`;
}

/**
What a forced stop (a second Ctrl-C) would keep, for the line that offers it: results not stored
yet are journaled, unless the journal cannot be written now.
*/
export function forcedStopKeeps(stats: ResultWriterStats): string {
	return stats.journalFault
		? `results not stored yet are journaled if the journal can be written again; it cannot now: ${stats.journalFault}`
		: 'results not stored yet are journaled';
}

/** Options of `drainWriter`. */
export type DrainOptions = {
	/** Progress lines go here. */
	readonly log: (line: string) => void;
	/** Give up after the database failed this long with nothing stored. Default 30 s. */
	readonly stallMs?: number;
	/** Period of progress lines, ms. Default 2,000. */
	readonly progressEveryMs?: number;
	/** Time for the stall, the progress lines and the wake-ups: the writer's clock (tests pass a fake one). */
	readonly clock?: Clock;
};

/**
Stores everything the writer holds, then closes it. A drain that makes progress (a long journal
replay) is never cut short; one that stored nothing for `stallMs` while the database kept failing
stops, leaving the rest in the journal for the next start. Resolves with the exit code (see
`exitCodeAfterClose`).
*/
export async function drainWriter(writer: BatchedResultWriter, options: DrainOptions): Promise<number> {
	const stallMs = options.stallMs ?? 30_000;
	const progressEveryMs = options.progressEveryMs ?? 2000;
	const clock = options.clock ?? systemClock;
	let done = false;
	const flushed = writer.flush().then(() => {
		done = true;
	});
	let lastWritten = writer.stats().written;
	let progressAt = clock.now();
	let reportedAt = progressAt;
	while (!done) {
		let wake: unknown;
		await Promise.race([flushed, new Promise<void>(resolve => {
			wake = clock.setTimer(resolve, 250);
		})]);
		clock.clearTimer(wake);
		const stats = writer.stats();
		const now = clock.now();
		if (done || stats.state === 'closed') {
			break;
		}

		if (stats.written !== lastWritten || stats.state !== 'retrying') {
			lastWritten = stats.written;
			progressAt = now;
		} else if (now - progressAt >= stallMs) {
			const journaled = await writer.closeNow();
			// Results the journal could not take were reported as lost while it closed.
			options.log(`the database could not store results for ${Math.round(stallMs / 1000)} s (${stats.lastError ?? 'no answer'}): ${journaled} results stay in the journal ${writer.journalDirectory ?? '(none)'}; they are stored at the next start`);
			return exitCodeAfterClose(writer.stats());
		}

		if (now - reportedAt >= progressEveryMs) {
			reportedAt = now;
			options.log(drainProgress(stats));
		}
	}

	await writer.close();
	return exitCodeAfterClose(writer.stats());
}
