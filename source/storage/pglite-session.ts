import {PGlite} from '@electric-sql/pglite';
import {DatabaseUnavailableError} from '../errors.js';
import {pgliteOptions} from './pglite-initdb.js';
import {describeReopenFailure, recoverPgliteDataDir} from './pglite-recovery.js';
import {retryDelayMs, type RetryPolicy} from './retry-delay.js';
import {firstLine} from './write-errors.js';

/** Where the PGlite driver gets the instance each statement runs on. */
export type PgliteHandle = {
	/** The instance to run a statement on; throws while there is none that can run one. */
	instance(): Promise<PGlite>;
	/** The open instance, if any, without reopening (for a rollback, which must not wait). */
	readonly current: PGlite | undefined;
	/**
	Told of every statement's error; resolves with the error to raise instead (one that names the
	data directory) when it was a storage fault.
	*/
	failed(error: unknown): Promise<Error | undefined>;
};

/** A fixed instance, as tests open one. */
export function fixedPglite(pglite: PGlite): PgliteHandle {
	return {
		instance: async () => pglite,
		get current() {
			return pglite.closed ? undefined : pglite;
		},
		failed: async () => undefined,
	};
}

/**
Whether a statement's error leaves PGlite unable to run another: SQLSTATE class 53 (insufficient
resources: 53100 disk full), 58 (system error: 58030 I/O error) and XX (internal error). Measured on
a full tmpfs: after `could not write to file "pg_wal/xlogtemp.42": No space left on device` the
next statement fails with XX000 and the one after it never returns, spinning this thread.
*/
export function isPgliteStorageFault(error: unknown): boolean {
	const {code} = (error ?? {}) as {code?: unknown};
	return typeof code === 'string' && /^(?:53|58|XX)/.test(code);
}

/** Options of `PgliteSession`. */
export type PgliteSessionOptions = {
	/** First delay before reopening after a fault, ms; doubles per failed reopening. Default 1,000. */
	readonly retryInitialMs?: number;
	/** Cap on that delay, ms. Default 30,000. */
	readonly retryMaxMs?: number;
	/** Recovers the directory before it is reopened here (tests replace the child process). */
	readonly recover?: (dataDir: string) => Promise<void>;
};

/**
The PGlite instance of one data directory, replaced after a storage fault. After an error that
leaves PostgreSQL unable to go on (see `isPgliteStorageFault`) no statement reaches that instance
again: it is closed at once, and a later statement reopens the directory, at most once per retry
delay, after a recovery in a child process (see `recoverPgliteDataDir`). Until then every statement
fails fast with `DatabaseUnavailableError`, which the writer retries: "cannot store now", with the
batch kept.
*/
export class PgliteSession implements PgliteHandle {
	readonly #dataDir: string;
	readonly #policy: RetryPolicy;
	readonly #recover: (dataDir: string) => Promise<void>;
	#pglite: PGlite | undefined;
	#fault: string | undefined;
	#failures = 0;
	#retryAt = 0;
	#reopening: Promise<PGlite> | undefined;
	#closed = false;

	constructor(dataDir: string, pglite: PGlite, options: PgliteSessionOptions = {}) {
		this.#dataDir = dataDir;
		this.#pglite = pglite;
		this.#policy = {initialMs: options.retryInitialMs ?? 1000, maxMs: options.retryMaxMs ?? 30_000, random: Math.random};
		this.#recover = options.recover ?? recoverPgliteDataDir;
	}

	get current(): PGlite | undefined {
		return this.#pglite;
	}

	async instance(): Promise<PGlite> {
		if (this.#pglite) {
			return this.#pglite;
		}

		if (this.#closed) {
			throw new DatabaseUnavailableError(`PGlite in ${this.#dataDir} is closed`);
		}

		this.#reopening ??= this.#reopen().finally(() => {
			this.#reopening = undefined;
		});
		return this.#reopening;
	}

	async failed(error: unknown): Promise<Error | undefined> {
		const broken = this.#pglite;
		if (!broken || !isPgliteStorageFault(error)) {
			return undefined;
		}

		this.#pglite = undefined;
		this.#fault = firstLine(error);
		this.#failures = 1;
		this.#retryAt = Date.now() + retryDelayMs(this.#policy, this.#failures);
		await broken.close().catch(() => undefined);
		return new DatabaseUnavailableError(`PGlite in ${this.#dataDir} cannot write: ${this.#fault}`, {cause: error});
	}

	/** Closes the instance for good. */
	async close(): Promise<void> {
		this.#closed = true;
		await this.#reopening?.catch(() => undefined);
		const pglite = this.#pglite;
		this.#pglite = undefined;
		if (pglite && !pglite.closed) {
			await pglite.close();
		}
	}

	async #reopen(): Promise<PGlite> {
		const wait = this.#retryAt - Date.now();
		if (wait > 0) {
			throw new DatabaseUnavailableError(`PGlite in ${this.#dataDir} stopped after a storage fault (${this.#fault}); it is reopened in ${Math.ceil(wait / 1000)} s`);
		}

		try {
			await this.#recover(this.#dataDir);
			const pglite = new PGlite(this.#dataDir, pgliteOptions);
			await pglite.waitReady;
			if (this.#closed) {
				await pglite.close();
				throw new Error('closed meanwhile');
			}

			this.#pglite = pglite;
			this.#fault = undefined;
			return pglite;
		} catch (error) {
			this.#failures++;
			this.#retryAt = Date.now() + retryDelayMs(this.#policy, this.#failures);
			const reason = await describeReopenFailure(this.#dataDir, error);
			throw new DatabaseUnavailableError(`cannot reopen PGlite in ${this.#dataDir} after a storage fault (${this.#fault}): ${reason}`, {cause: error});
		}
	}
}
