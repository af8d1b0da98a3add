import type {BatchedResultWriter} from './result-writer-types.js';

/** What holding needs of the monitor (the engine, or the shards over it). */
export type HoldableMonitor = {
	hold(held: boolean): void;
};

/**
Holds the monitor's checks while the writer can keep no more results (the journal cannot be written
and the memory bound is reached: a check then would only make a result to lose), with one line when
the hold starts and one when it ends. Sites are not paused: the slots that pass are counted as held
(`heldSlots` in the summary and the header). Returns the unsubscribe.
*/
export function holdWhileFull(
	writer: Pick<BatchedResultWriter, 'onFull' | 'stats'>,
	monitor: HoldableMonitor,
	log: (line: string) => void,
): () => void {
	return writer.onFull(full => {
		monitor.hold(full);
		const {memoryOnly} = writer.stats();
		log(full
			? `${memoryOnly} results wait in memory only, the bound (--memory-max-results): checks hold until the journal or the database takes results again; slots that pass meanwhile are counted as held, not checked`
			: `checks resume: the journal or the database takes results again (${memoryOnly} wait in memory only)`);
	});
}
