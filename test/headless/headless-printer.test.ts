import {EventEmitter} from 'node:events';
import {Writable} from 'node:stream';
import test from 'ava';
import type {CheckResult} from '../../source/engine/types.js';
import {startHeadlessPrinter, type HeadlessOptions} from '../../source/headless/headless-printer.js';
import {checkResult} from '../storage/check-result-fixture.js';

/**
A stdout whose reader is gone, as `webmon-tui | head -3` leaves it: every write fails with EPIPE.
Like process.stdout it is never destroyed (`autoDestroy: false`), so nothing but the printer itself
can stop the writes; `writes` counts the calls it gets.
*/
class ClosedPipe extends Writable {
	writes = 0;

	constructor() {
		super({autoDestroy: false});
		const write = this.write.bind(this) as (chunk: unknown) => boolean;
		this.write = ((chunk: unknown) => {
			this.writes++;
			return write(chunk);
		}) as Writable['write'];
	}

	override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		callback(Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}));
	}
}

async function nextTurn() {
	await new Promise(resolve => {
		setImmediate(resolve);
	});
}

test('once stdout fails (EPIPE) the printer says so once and never writes to it again', async t => {
	// The printer reads nothing from the engine but its results (and totals for the summary, not printed here).
	const engine = new EventEmitter() as unknown as HeadlessOptions['engine'];
	const stdout = new ClosedPipe();
	const lost: string[] = [];
	const printer = startHeadlessPrinter({
		engine,
		format: 'text',
		stdout,
		stderr: new Writable({write: (_chunk, _encoding, callback) => callback()}),
		onOutputLost(code) {
			lost.push(code);
		},
	});
	const emit = (result: CheckResult) => (engine as unknown as EventEmitter).emit('result', result);
	emit(checkResult({siteId: 1, scheduledAt: Date.now()}));
	await nextTurn();
	t.is(stdout.writes, 1, 'the first line went out and failed');
	await nextTurn();
	t.deepEqual(lost, ['EPIPE']);

	emit(checkResult({siteId: 1, scheduledAt: Date.now() + 1}));
	emit(checkResult({siteId: 2, scheduledAt: Date.now() + 1}));
	await nextTurn();
	printer.stop();
	t.is(stdout.writes, 1, 'nothing written after the failure');
	t.deepEqual(lost, ['EPIPE'], 'reported once');
});
