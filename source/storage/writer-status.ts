/**
What the writer reports about itself, as both front ends (the UI's header, the headless summary) read
it: `ResultWriterStats` satisfies it. Defined here, beside the writer, so neither front end has to
import the other to share it.
*/
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
