import {createWriteStream, type WriteStream} from 'node:fs';
import {once} from 'node:events';
import {kindName, type FleetKind} from './fleet-kinds.js';

/** One request as the fleet saw it arrive. */
export type FleetRequestRecord = {
	/** `Date.now()` when the request's headers had arrived. */
	readonly epochMs: number;
	/** `performance.now()` at the same moment (monotonic; for intervals within this process). */
	readonly monotonicMs: number;
	/** The id from the URL path (`/s/<id>/<kind>`), or -1 when the path named no site. */
	readonly siteId: number;
	readonly kind: FleetKind | 'unknown';
};

/**
The request log, column by column. The arrays are views of the log's storage: read them before
the next request arrives or copy them (`slice()`); `at(i)` builds one record object.
*/
export type FleetLogView = {
	readonly length: number;
	readonly epochMs: Float64Array;
	readonly monotonicMs: Float64Array;
	readonly siteIds: Int32Array;
	/** Kind codes; `kindName(code)` names them. */
	readonly kindCodes: Uint8Array;
	at(index: number): FleetRequestRecord;
};

const initialCapacity = 4096;

/**
Columnar, append-only request log: 21 bytes a request in typed arrays that double when full,
so a million requests cost ~21 MB and no garbage per request.
*/
export class FleetRequestLog {
	#length = 0;
	#epochMs = new Float64Array(initialCapacity);
	#monotonicMs = new Float64Array(initialCapacity);
	#siteIds = new Int32Array(initialCapacity);
	#kindCodes = new Uint8Array(initialCapacity);
	readonly #keep: boolean;

	/**
	Makes an empty log.

	@param keep Whether to store records; when false only the count is kept.
	*/
	constructor(keep = true) {
		this.#keep = keep;
	}

	/** Requests recorded so far (counted even when records are not kept). */
	get length(): number {
		return this.#length;
	}

	/** Appends one request. */
	record(epochMs: number, monotonicMs: number, siteId: number, kindCode: number): void {
		if (!this.#keep) {
			this.#length++;
			return;
		}

		if (this.#length === this.#epochMs.length) {
			this.#grow();
		}

		const index = this.#length++;
		this.#epochMs[index] = epochMs;
		this.#monotonicMs[index] = monotonicMs;
		this.#siteIds[index] = siteId;
		this.#kindCodes[index] = kindCode;
	}

	/** Forgets every record (e.g. after a warm-up phase). */
	clear(): void {
		this.#length = 0;
	}

	/** Column views of the records so far (empty when records are not kept). */
	view(): FleetLogView {
		const length = this.#keep ? this.#length : 0;
		const epochMs = this.#epochMs.subarray(0, length);
		const monotonicMs = this.#monotonicMs.subarray(0, length);
		const siteIds = this.#siteIds.subarray(0, length);
		const kindCodes = this.#kindCodes.subarray(0, length);
		return {
			length,
			epochMs,
			monotonicMs,
			siteIds,
			kindCodes,
			at(index) {
				if (index < 0 || index >= length) {
					throw new RangeError(`log index ${index} is outside 0..${length - 1}`);
				}

				return {
					epochMs: epochMs[index]!,
					monotonicMs: monotonicMs[index]!,
					siteId: siteIds[index]!,
					kind: kindName(kindCodes[index]!),
				};
			},
		};
	}

	#grow(): void {
		const capacity = this.#epochMs.length * 2;
		const epochMs = new Float64Array(capacity);
		epochMs.set(this.#epochMs);
		this.#epochMs = epochMs;
		const monotonicMs = new Float64Array(capacity);
		monotonicMs.set(this.#monotonicMs);
		this.#monotonicMs = monotonicMs;
		const siteIds = new Int32Array(capacity);
		siteIds.set(this.#siteIds);
		this.#siteIds = siteIds;
		const kindCodes = new Uint8Array(capacity);
		kindCodes.set(this.#kindCodes);
		this.#kindCodes = kindCodes;
	}
}

/**
Streams `<epochMs>,<siteId>,<kind>` lines to a file for a benchmark in another process. Lines are
batched (one write per 64 KiB or per 200 ms) because a write call per request would cost more
than serving the request.
*/
export class FleetLogFile {
	readonly #stream: WriteStream;
	readonly #timer: NodeJS.Timeout;
	#pending: string[] = [];
	#pendingChars = 0;
	#error: Error | undefined;

	constructor(path: string) {
		this.#stream = createWriteStream(path, {flags: 'w'});
		// A broken log file must not take the fleet down; the error is reported on close.
		this.#stream.on('error', error => {
			this.#error ??= error;
		});
		this.#timer = setInterval(() => {
			this.#flush();
		}, 200);
		this.#timer.unref();
	}

	/** Queues one line. */
	write(epochMs: number, siteId: number, kind: string): void {
		const line = `${epochMs},${siteId},${kind}\n`;
		this.#pending.push(line);
		this.#pendingChars += line.length;
		if (this.#pendingChars >= 65_536) {
			this.#flush();
		}
	}

	/** Writes what is queued, ends the file and resolves once it is on disk. */
	async close(): Promise<void> {
		clearInterval(this.#timer);
		this.#flush();
		if (!this.#error) {
			this.#stream.end();
			await Promise.race([once(this.#stream, 'close'), once(this.#stream, 'error')]).catch(() => undefined);
		}

		if (this.#error) {
			throw this.#error;
		}
	}

	#flush(): void {
		if (this.#pending.length === 0 || this.#error) {
			return;
		}

		this.#stream.write(this.#pending.join(''));
		this.#pending = [];
		this.#pendingChars = 0;
	}
}
