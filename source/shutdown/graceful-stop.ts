import type {Clock} from '../engine/types.js';
import {drainProgress, drainWriter, type BatchedResultWriter} from '../storage/index.js';
import type {RunningMonitor} from '../workers/create-monitor.js';
import {describeStop, type ShutdownController, type StopCause} from './shutdown-controller.js';

/** What a graceful stop works on. */
export type GracefulStopOptions = {
	readonly engine: RunningMonitor;
	readonly writer: BatchedResultWriter;
	readonly shutdown: ShutdownController;
	readonly log: (line: string) => void;
	/** Time for the drain (see `drainWriter`); default the system's. */
	readonly clock?: Clock;
};

/**
The graceful end, whatever asked for it: nothing new starts, checks in flight finish (each by its
deadline at the latest), then every result is stored. Resolves with the exit code (0, or 75 when
the database stayed away and results wait in the journal); undefined when a forced stop took over,
whose code and message stand.
*/
export async function gracefulStop({engine, writer, shutdown, log, clock}: GracefulStopOptions): Promise<number | undefined> {
	await engine.stop();
	if (shutdown.forced) {
		return undefined;
	}

	const {queued} = writer.stats();
	if (queued > 0) {
		log(`storing ${queued} queued results`);
	}

	const code = await drainWriter(writer, {log, clock});
	return shutdown.forced ? undefined : code;
}

/**
The line that says a stop began and what it waits for; nothing for `--number-healthchecks` reached.
`keeps` says what a forced stop would keep (see `forcedStopKeeps`: never a journal the disk cannot take).
*/
export function stopAnnouncement(cause: StopCause, inFlight: number, timeoutSeconds: number, keeps: string): string | undefined {
	if (cause.kind === 'done') {
		return undefined;
	}

	// Output lost: no first Ctrl-C was pressed, so none is "again".
	const force = cause.kind === 'output-lost' ? 'Ctrl-C stops at once' : 'Press Ctrl-C again to stop at once';
	return `${describeStop(cause)}: stopping; waiting for ${inFlight} checks in flight (at most ${timeoutSeconds} s), then storing results. ${force} (${keeps}).`;
}

/** What the drain is doing, for the UI's status line; undefined while not stopping. */
export function stopProgress(engine: RunningMonitor, writer: BatchedResultWriter, shutdown: ShutdownController): string | undefined {
	if (!shutdown.stopping) {
		return undefined;
	}

	const stats = writer.stats();
	return engine.inFlight > 0
		? `stopping: ${engine.inFlight} checks in flight, ${stats.queued} results to store (Ctrl-C again to abort checks)`
		: `stopping: ${drainProgress(stats)}`;
}
