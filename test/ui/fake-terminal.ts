import {EventEmitter} from 'node:events';
import {Writable} from 'node:stream';

/** A stdout that claims to be a terminal of a given size and records every byte written. */
export class FakeTerminalOutput extends Writable {
	readonly isTTY = true;
	columns: number;
	rows: number;
	readonly chunks: string[] = [];
	bytes = 0;

	constructor(columns: number, rows: number) {
		super({decodeStrings: false});
		this.columns = columns;
		this.rows = rows;
	}

	/** Everything written so far. */
	get text(): string {
		return this.chunks.join('');
	}

	/** Resizes, as a terminal window does. */
	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}

	override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		const text = typeof chunk === 'string' ? chunk : String(chunk);
		this.chunks.push(text);
		this.bytes += Buffer.byteLength(text);
		callback();
	}
}

/** A stdin that claims to be a terminal in raw mode; `press` delivers keys as a terminal would. */
export class FakeTerminalInput extends EventEmitter {
	readonly isTTY = true;
	isRaw = false;
	readonly rawModeChanges: boolean[] = [];
	readonly #pending: string[] = [];

	setRawMode(mode: boolean): this {
		this.isRaw = mode;
		this.rawModeChanges.push(mode);
		return this;
	}

	setEncoding(): this {
		return this;
	}

	read(): string | null {
		return this.#pending.shift() ?? null;
	}

	press(data: string): void {
		this.#pending.push(data);
		this.emit('readable');
	}

	resume(): this {
		return this;
	}

	pause(): this {
		return this;
	}

	ref(): this {
		return this;
	}

	unref(): this {
		return this;
	}
}
