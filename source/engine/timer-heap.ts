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
		if (index !== last) {
			this.#swap(index, last);
		}

		this.#keys.pop();
		this.#due.pop();
		this.#seq.pop();
		this.#position.delete(key);
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

	#less(a: number, b: number): boolean {
		const dueA = this.#due[a]!;
		const dueB = this.#due[b]!;
		return dueA < dueB || (dueA === dueB && this.#seq[a]! < this.#seq[b]!);
	}

	#swap(a: number, b: number): void {
		const keyA = this.#keys[a]!;
		const keyB = this.#keys[b]!;
		this.#keys[a] = keyB;
		this.#keys[b] = keyA;
		const due = this.#due[a]!;
		this.#due[a] = this.#due[b]!;
		this.#due[b] = due;
		const seq = this.#seq[a]!;
		this.#seq[a] = this.#seq[b]!;
		this.#seq[b] = seq;
		this.#position.set(keyB, a);
		this.#position.set(keyA, b);
	}

	#up(index: number): void {
		let child = index;
		while (child > 0) {
			const parent = (child - 1) >> 1;
			if (!this.#less(child, parent)) {
				return;
			}

			this.#swap(child, parent);
			child = parent;
		}
	}

	#down(index: number): void {
		const {length} = this.#keys;
		let parent = index;
		for (;;) {
			const left = (parent * 2) + 1;
			const right = left + 1;
			let smallest = parent;
			if (left < length && this.#less(left, smallest)) {
				smallest = left;
			}

			if (right < length && this.#less(right, smallest)) {
				smallest = right;
			}

			if (smallest === parent) {
				return;
			}

			this.#swap(parent, smallest);
			parent = smallest;
		}
	}
}
