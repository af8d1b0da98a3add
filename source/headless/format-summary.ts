import type {EngineTotals} from '../engine/engine-types.js';
import {storageTrouble, type WriterStatus} from '../storage/writer-status.js';

/** The periodic one-line summary for stderr (systemd, cron and CI logs). */
export function formatSummary(totals: EngineTotals, writer?: WriterStatus): string {
	const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
	const parts = [
		`sites ${totals.sites} (up ${totals.up}, down ${totals.down}, pending ${totals.pending}, paused ${totals.paused})`,
		`checks/s ${totals.checksPerSecond1s.toFixed(1)} (1m ${totals.checksPerSecond1m.toFixed(1)})`,
		`timeouts ${percent(totals.timeoutRate1m)}`,
		`errors ${percent(totals.errorRate1m)}`,
		// The limit bounds the checks that work; those out for over half a second wait on their servers.
		`limit ${totals.limit} in-flight ${totals.inFlight}${totals.stalledInFlight > 0 ? ` (${totals.stalledInFlight} on silent servers)` : ''} waiting ${totals.waiting} (${totals.limitReason})`,
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
