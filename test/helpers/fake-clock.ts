import {TimerHeap} from '../../source/engine/timer-heap.js';
import type {Clock} from '../../source/engine/types.js';

/**
A clock whose time moves only when a test says so. `advance` fires due timers in time order and lets
promise callbacks run between them, so async code driven by timers behaves as it would in real time.
*/
export class FakeClock implements Clock {
	#now: number;
	readonly #heap = new TimerHeap();
	readonly #callbacks = new Map<number, () => void>();
	#nextId = 1;

	constructor(start = Date.UTC(2026, 0, 1)) {
		this.#now = start;
	}

	now(): number {
		return this.#now;
	}

	setTimer(callback: () => void, ms: number): unknown {
		const id = this.#nextId++;
		this.#heap.set(id, this.#now + Math.max(0, ms));
		this.#callbacks.set(id, callback);
		return id;
	}

	clearTimer(handle: unknown): void {
		this.#heap.delete(handle as number);
		this.#callbacks.delete(handle as number);
	}

	/** Pending timers (for assertions such as "one armed timer for all sites"). */
	get pendingTimers(): number {
		return this.#heap.size;
	}

	/** Resolves after `ms` of fake time. */
	async sleep(ms: number): Promise<void> {
		await new Promise<void>(resolve => {
			this.setTimer(resolve, ms);
		});
	}

	async advance(ms: number): Promise<void> {
		const end = this.#now + ms;
		for (;;) {
			await flushMicrotasks();
			const next = this.#heap.peek();
			if (!next || next.dueAt > end) {
				break;
			}

			this.#heap.delete(next.key);
			const callback = this.#callbacks.get(next.key)!;
			this.#callbacks.delete(next.key);
			this.#now = Math.max(this.#now, next.dueAt);
			callback();
		}

		this.#now = end;
		await flushMicrotasks();
	}
}

/** Stops `engine` while moving fake time on, so checks in flight can finish. */
export async function stopWithTime(engine: {stop(): Promise<void>}, clock: FakeClock, ms = 60_000): Promise<void> {
	const stopping = engine.stop();
	await clock.advance(ms);
	await stopping;
}

async function flushMicrotasks(): Promise<void> {
	for (let index = 0; index < 20; index++) {
		await Promise.resolve();
	}
}
