/**
Rows waiting for the database, oldest first. The writer reads a batch with `peek`, and only after
the database acknowledged it removes the rows with `drop`, so rows in flight are still counted and
still here if the write fails. The durable queue (durable-row-queue.ts) keeps its in-memory window
of the newest rows in one of these, with the journal on disk behind it.
*/
export type RowQueue<T> = {
	/** Rows queued, including a batch in flight. */
	readonly size: number;
	push(row: T): void;
	/** The oldest `count` rows (fewer when fewer are queued), left in place. */
	peek(count: number): T[];
	/** Rows `start` to `end` (exclusive), counted from the oldest, left in place. */
	slice(start: number, end: number): T[];
	/** Removes the oldest `count` rows. */
	drop(count: number): void;
};

/** An in-memory queue: an array with a moving head, compacted now and then (no O(n) shift per row). */
export function createMemoryRowQueue<T>(): RowQueue<T> {
	let rows: T[] = [];
	let head = 0;

	return {
		get size() {
			return rows.length - head;
		},
		push(row) {
			rows.push(row);
		},
		peek(count) {
			return rows.slice(head, head + Math.max(0, count));
		},
		slice(start, end) {
			return rows.slice(head + Math.max(0, start), head + Math.max(0, end));
		},
		drop(count) {
			head = Math.min(rows.length, head + Math.max(0, count));
			if (head === rows.length) {
				rows = [];
				head = 0;
			} else if (head > 4096 && head * 2 > rows.length) {
				rows = rows.slice(head);
				head = 0;
			}
		},
	};
}
