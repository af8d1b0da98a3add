import type {EngineTotals} from '../engine/engine-types.js';

/** What the writer reports about itself (storage implements it). */
export type WriterStatus = {
	readonly state: string;
	readonly queued: number;
	readonly written: number;
	readonly journaled?: number;
	/** Results in memory only (the journal cannot take them): a crash now would lose them. */
	readonly memoryOnly?: number;
	/** Why the journal cannot take results, while it cannot. */
	readonly journalFault?: string | undefined;
	/** Results neither stored nor journaled: lost. */
	readonly lost?: number;
	/** Checks hold: nothing more can be kept. */
	readonly full?: boolean;
	readonly nextRetryInMs?: number | undefined;
};

/**
The writer's facts that only matter when storage is in trouble, in the order they matter: results in
memory only (and why), lost ones, slots held. Empty while all is well.
*/
export function storageTrouble(writer: WriterStatus, heldSlots: number): string[] {
	const parts: string[] = [];
	if (writer.memoryOnly) {
		parts.push(`${writer.memoryOnly} in memory only${writer.journalFault ? ` (journal: ${writer.journalFault})` : ''}`);
	}

	if (writer.lost) {
		parts.push(`${writer.lost} lost`);
	}

	if (writer.full || heldSlots > 0) {
		parts.push(`${writer.full ? 'checks held, ' : ''}${heldSlots} slots held`);
	}

	return parts;
}

/** The periodic one-line summary for stderr (systemd, cron and CI logs). */
export function formatSummary(totals: EngineTotals, writer?: WriterStatus): string {
	const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
	const parts = [
		`sites ${totals.sites} (up ${totals.up}, down ${totals.down}, pending ${totals.pending}, paused ${totals.paused})`,
		`checks/s ${totals.checksPerSecond1s.toFixed(1)} (1m ${totals.checksPerSecond1m.toFixed(1)})`,
		`timeouts ${percent(totals.timeoutRate1m)}`,
		`errors ${percent(totals.errorRate1m)}`,
		`limit ${totals.limit} in-flight ${totals.inFlight} waiting ${totals.waiting} (${totals.limitReason})`,
		`hosts ${totals.hosts}, ${totals.waitingOnHosts} waiting for their host`,
		// From each check's slot to the moment its request was written to the socket.
		`late p99 ${Math.round(totals.latenessP99Ms)} ms`,
		`loop p99 ${Math.round(totals.eventLoopDelayP99Ms)} ms`,
		`skipped ${totals.skipped} (host_busy ${totals.skippedHostBusy}, client_busy ${totals.skippedClientBusy})`,
	];
	if (writer) {
		let text = `db ${writer.state}, ${writer.written} stored, ${writer.queued} queued`;
		if (writer.journaled) {
			text += `, ${writer.journaled} journaled`;
		}

		for (const part of storageTrouble(writer, totals.heldSlots)) {
			text += `, ${part}`;
		}

		if (writer.nextRetryInMs !== undefined) {
			text += `, retry in ${Math.ceil(writer.nextRetryInMs / 1000)} s`;
		}

		parts.push(text);
	}

	return `summary: ${parts.join(' | ')}`;
}
