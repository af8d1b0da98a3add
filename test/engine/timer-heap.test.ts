import test from 'ava';
import {TimerHeap} from '../../source/engine/timer-heap.js';

test('pops in due order with FIFO ties, after arbitrary updates and deletes', t => {
	const heap = new TimerHeap();
	const expected = new Map<number, number>();
	let seed = 7;
	const random = () => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return seed / 2_147_483_648;
	};

	for (let key = 0; key < 2000; key++) {
		const due = Math.floor(random() * 500);
		heap.set(key, due);
		expected.set(key, due);
	}

	for (let key = 0; key < 2000; key += 3) {
		const due = Math.floor(random() * 500);
		heap.set(key, due);
		expected.set(key, due);
	}

	for (let key = 1; key < 2000; key += 7) {
		t.true(heap.delete(key));
		expected.delete(key);
	}

	t.false(heap.delete(1));
	t.is(heap.size, expected.size);
	let previous = -1;
	const seen: number[] = [];
	for (let top = heap.pop(); top; top = heap.pop()) {
		t.true(top.dueAt >= previous);
		t.is(expected.get(top.key), top.dueAt);
		previous = top.dueAt;
		seen.push(top.key);
	}

	t.is(seen.length, expected.size);
});

test('random sets, deletes and pops agree with a plain model at every step, ties first-set first-out', t => {
	const heap = new TimerHeap();
	const model = new Map<number, {due: number; order: number}>();
	let order = 0;
	let seed = 11;
	const random = (below: number) => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return Math.floor((seed / 2_147_483_648) * below);
	};

	let mismatches = 0;
	for (let step = 0; step < 20_000; step++) {
		const key = random(300);
		const action = random(10);
		if (action < 6) {
			const due = random(50);
			heap.set(key, due);
			model.set(key, {due, order: order++});
		} else if (action < 8) {
			if (heap.delete(key) !== model.delete(key)) {
				mismatches++;
			}
		} else {
			const top = heap.pop();
			const best = [...model].sort(([, a], [, b]) => a.due - b.due || a.order - b.order)[0];
			if (top?.key !== best?.[0] || top?.dueAt !== best?.[1].due) {
				mismatches++;
			}

			if (best) {
				model.delete(best[0]);
			}
		}

		if (heap.size !== model.size || heap.dueAt(key) !== model.get(key)?.due) {
			mismatches++;
		}
	}

	t.is(mismatches, 0);
	t.true(order > 10_000);
});
