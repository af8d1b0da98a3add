import {journalFaultLine, journalRecoveredLine, type JournalFault} from './journal-fault.js';

/**
Tells the user about journal faults: one line when one starts (or changes cause), and one when the
journal has stayed writable for `quietMs`. A nearly full disk flaps as stored segments are deleted
and new ones fill the room again; a line per flap would bury everything else.
*/
export class JournalFaultNotices {
	readonly #directory: string;
	readonly #memoryRows: number;
	readonly #quietMs: number;
	readonly #warn: (line: string) => void;
	/** The fault the user was told of, until they are told it is over. */
	#announced: JournalFault | undefined;
	#quietTimer: NodeJS.Timeout | undefined;
	#current: JournalFault | undefined;

	/** `memoryRows`: how many results may wait in memory only, for the line. */
	constructor(directory: string, memoryRows: number, quietMs: number, warn: (line: string) => void) {
		this.#directory = directory;
		this.#memoryRows = memoryRows;
		this.#quietMs = quietMs;
		this.#warn = warn;
	}

	/** The journal's fault after a write or an fsync (undefined: it works). */
	update(fault: JournalFault | undefined): void {
		this.#current = fault;
		if (fault) {
			clearTimeout(this.#quietTimer);
			this.#quietTimer = undefined;
			if (fault.code !== this.#announced?.code) {
				this.#warn(journalFaultLine(this.#directory, fault, this.#memoryRows));
				this.#announced = fault;
			}
		} else if (this.#announced && !this.#quietTimer) {
			this.#quietTimer = setTimeout(() => {
				this.#quietTimer = undefined;
				if (this.#announced && !this.#current) {
					this.#warn(journalRecoveredLine(this.#directory, this.#announced, Date.now()));
					this.#announced = undefined;
				}
			}, this.#quietMs);
			this.#quietTimer.unref();
		}
	}

	/** Says nothing more (the journal is closing). */
	stop(): void {
		clearTimeout(this.#quietTimer);
		this.#quietTimer = undefined;
	}
}
