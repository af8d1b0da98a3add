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
