/**
An indexed binary min-heap of (key, dueAt): one timer structure for every site.

Why indexed: the engine must add, remove, pause and resume one site among 100,000 at run time in
O(log n); a plain heap can only remove its top. `position` maps a key to its slot so any entry can be
sifted from where it is. Ties on dueAt break on insertion order (`seq`) so equal deadlines run FIFO
and the order is deterministic for tests.
*/
export class TimerHeap {
	readonly #keys: number[] = [];
	readonly #due: number[] = [];
	readonly #seq: number[] = [];
	readonly #position = new Map<number, number>();
	#counter = 0;

	/** Number of entries. */
	get size(): number {
		return this.#keys.length;
	}

	has(key: number): boolean {
		return this.#position.has(key);
	}

	/** The due time of `key`, or undefined when it is not in the heap. */
	dueAt(key: number): number | undefined {
		const index = this.#position.get(key);
		return index === undefined ? undefined : this.#due[index];
	}

	/** Inserts `key` or moves it to a new due time. */
	set(key: number, dueAt: number): void {
		const index = this.#position.get(key);
		if (index === undefined) {
			const slot = this.#keys.length;
			this.#keys.push(key);
			this.#due.push(dueAt);
			this.#seq.push(this.#counter++);
			this.#position.set(key, slot);
			this.#up(slot);
			return;
		}

		this.#due[index] = dueAt;
		this.#seq[index] = this.#counter++;
		this.#up(index);
		this.#down(this.#position.get(key)!);
	}

	/** Removes `key`; returns whether it was there. */
	delete(key: number): boolean {
		const index = this.#position.get(key);
		if (index === undefined) {
			return false;
		}

		const last = this.#keys.length - 1;
		this.#position.delete(key);
		if (index !== last) {
			// The last entry fills the hole, then finds its place from there.
			this.#move(last, index);
		}

		this.#keys.pop();
		this.#due.pop();
		this.#seq.pop();
		if (index !== last) {
			this.#up(index);
			this.#down(index);
		}

		return true;
	}

	/** The earliest entry without removing it. */
	peek(): {key: number; dueAt: number} | undefined {
		if (this.#keys.length === 0) {
			return undefined;
		}

		return {key: this.#keys[0]!, dueAt: this.#due[0]!};
	}

	/** Removes and returns the earliest entry. */
	pop(): {key: number; dueAt: number} | undefined {
		const top = this.peek();
		if (top) {
			this.delete(top.key);
		}

		return top;
	}

	/** Moves the entry at `from` into `to` (a hole), keeping its position. */
	#move(from: number, to: number): void {
		const key = this.#keys[from]!;
		this.#keys[to] = key;
		this.#due[to] = this.#due[from]!;
		this.#seq[to] = this.#seq[from]!;
		this.#position.set(key, to);
	}

	#place(index: number, key: number, due: number, seq: number): void {
		this.#keys[index] = key;
		this.#due[index] = due;
		this.#seq[index] = seq;
		this.#position.set(key, index);
	}

	/**
	Sifts the entry at `index` up. Parents move down into the hole and the entry is written once at
	the end: half the writes of swapping, each of which also updates `position`.
	*/
	#up(index: number): void {
		const key = this.#keys[index]!;
		const due = this.#due[index]!;
		const seq = this.#seq[index]!;
		let hole = index;
		while (hole > 0) {
			const parent = (hole - 1) >> 1;
			if (!earlier(due, seq, this.#due[parent]!, this.#seq[parent]!)) {
				break;
			}

			this.#move(parent, hole);
			hole = parent;
		}

		if (hole !== index) {
			this.#place(hole, key, due, seq);
		}
	}

	/** Sifts the entry at `index` down: the earlier child moves up into the hole, as `#up` does. */
	#down(index: number): void {
		const {length} = this.#keys;
		const key = this.#keys[index]!;
		const due = this.#due[index]!;
		const seq = this.#seq[index]!;
		let hole = index;
		for (;;) {
			const left = (hole * 2) + 1;
			if (left >= length) {
				break;
			}

			const right = left + 1;
			const child = right < length && earlier(this.#due[right]!, this.#seq[right]!, this.#due[left]!, this.#seq[left]!) ? right : left;
			if (!earlier(this.#due[child]!, this.#seq[child]!, due, seq)) {
				break;
			}

			this.#move(child, hole);
			hole = child;
		}

		if (hole !== index) {
			this.#place(hole, key, due, seq);
		}
	}
}

/** Whether (due, seq) comes before (otherDue, otherSeq): earlier due time, then insertion order. */
function earlier(due: number, seq: number, otherDue: number, otherSeq: number): boolean {
	return due < otherDue || (due === otherDue && seq < otherSeq);
}
