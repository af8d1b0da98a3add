import type {Lane} from './host-lanes.js';

/**
Where a site stands when its check is queued, which decides its place in its host's lane:
`good` (its last check succeeded) goes first, `unknown` (never checked, or failed fast) takes the
places good ones leave, `suspect` (its last check timed out) at most a share of them.
*/
export type Standing = 'good' | 'unknown' | 'suspect';

/** One due check waiting in a lane. */
export type WaitingCheck = {
	readonly siteId: number;
	/** The slot it is for; moves to the next slot when it waited a whole interval (see `HostLanes.reslot`). */
	scheduledAt: number;
	/** Asked for by the user (`r`): goes before every scheduled check of its lane. */
	readonly manual: boolean;
	readonly standing: Standing;
	readonly lane: Lane;
	/** FIFO link (internal to the lanes). */
	next: WaitingCheck | undefined;
	/** Taken out of its lane (superseded, paused, stopped); dropped when it reaches the head. */
	cancelled: boolean;
};

/** A FIFO of waiting checks, linked through the checks themselves; cancelled ones are dropped lazily. */
export class CheckQueue {
	head: WaitingCheck | undefined;
	tail: WaitingCheck | undefined;
	/** Live (not cancelled) checks. */
	size = 0;

	push(entry: WaitingCheck): void {
		if (this.tail) {
			this.tail.next = entry;
		} else {
			this.head = entry;
		}

		this.tail = entry;
		this.size++;
	}

	unshift(entry: WaitingCheck): void {
		entry.next = this.head;
		this.head = entry;
		this.tail ??= entry;
		this.size++;
	}

	/** The first live check, after dropping cancelled ones at the head. */
	peek(): WaitingCheck | undefined {
		while (this.head?.cancelled) {
			this.head = this.head.next;
		}

		if (!this.head) {
			this.tail = undefined;
		}

		return this.head;
	}

	shift(): WaitingCheck | undefined {
		const entry = this.peek();
		if (entry) {
			this.head = entry.next;
			this.tail = this.head ? this.tail : undefined;
			entry.next = undefined;
			this.size--;
		}

		return entry;
	}

	* live(): Generator<WaitingCheck> {
		for (let entry = this.head; entry; entry = entry.next) {
			if (!entry.cancelled) {
				yield entry;
			}
		}
	}
}
