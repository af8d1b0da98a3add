import {Readable} from 'node:stream';
import {types as pgliteTypes, type PGlite} from '@electric-sql/pglite';
import {
	createDriverFactory,
	type DriverFactory,
	type DriverQueryResult,
	type DriverStreamResult,
	type DriverTypeParser,
} from '@slonik/driver';
import {wrapPgliteError} from './pglite-errors.js';
import {fixedPglite, PgliteSession, type PgliteHandle} from './pglite-session.js';

/**
PGlite is one PostgreSQL backend with one session. Slonik thinks in pooled connections, so every
"connection" this driver hands out is a view of that single session, and a mutex makes each view
own the session from its first query until Slonik releases it (after `DISCARD ALL`). Without it,
two Slonik connections could interleave statements inside one transaction. The mutex lives per
PGlite instance (or per `PgliteSession`, which replaces its instance after a storage fault), so
several pools over one still take turns.
*/
const sessionLocks = new WeakMap<object, SessionLock>();

type Unlock = () => void;

/** A FIFO mutex over promises: waiters get the session in the order they asked. */
class SessionLock {
	#tail: Promise<void> = Promise.resolve();

	async lock(): Promise<Unlock> {
		let unlock!: Unlock;
		const held = new Promise<void>(resolve => {
			unlock = resolve;
		});
		const previous = this.#tail;
		this.#tail = previous.then(async () => held);
		await previous;
		let released = false;
		return () => {
			if (!released) {
				released = true;
				unlock();
			}
		};
	}
}

function sessionLockFor(owner: object): SessionLock {
	let lock = sessionLocks.get(owner);
	if (!lock) {
		lock = new SessionLock();
		sessionLocks.set(owner, lock);
	}

	return lock;
}

type ValueParser = (value: string) => unknown;

/**
Builds PGlite's per-OID parser table from Slonik's `typeParsers`, so a query returns the same JS
values through this driver as through `@slonik/pg-driver` (which applies the same list over
pg-types). Types Slonik does not override keep PGlite's parsers, which agree with pg-types for
the types we use (int2/int4/float8 → number, bool, json, text), except the two fixed below.
*/
async function createParsers(
	handle: PgliteHandle,
	lock: SessionLock,
	typeParsers: readonly DriverTypeParser[],
): Promise<Record<number, ValueParser>> {
	const parsers: Record<number, ValueParser> = {
		// Pg-types gives int8 as a string when no type parser claims it; PGlite would give a number.
		[pgliteTypes.INT8]: value => value,
		// Pg-types gives bytea as a Buffer; PGlite a bare Uint8Array.
		[pgliteTypes.BYTEA]: value => Buffer.from(value.slice(2), 'hex'),
	};
	if (typeParsers.length === 0) {
		return parsers;
	}

	const unlock = await lock.lock();
	let rows: Array<{oid: number; typarray: number; typname: string}>;
	try {
		rows = (await (await handle.instance()).query<{oid: number; typarray: number; typname: string}>(
			'SELECT oid, typarray, typname FROM pg_type WHERE typname = ANY($1::text[])',
			[typeParsers.map(parser => parser.name)],
		)).rows;
	} finally {
		unlock();
	}

	for (const typeParser of typeParsers) {
		const row = rows.find(candidate => candidate.typname === typeParser.name);
		if (!row) {
			throw new Error(`Database type "${typeParser.name}" not found.`);
		}

		const parse: ValueParser = value => typeParser.parse(value);
		parsers[row.oid] = parse;
		if (row.typarray) {
			parsers[row.typarray] = value => pgliteTypes.arrayParser(value, parse, row.typarray);
		}
	}

	return parsers;
}

/**
A Slonik driver over an open PGlite instance, or a `PgliteSession` that replaces its instance after a
storage fault. The caller owns the instance (opens and closes it); ending the pool never closes it.
*/
export function createPgliteDriverFactory(source: PGlite | PgliteSession): DriverFactory {
	const handle: PgliteHandle = source instanceof PgliteSession ? source : fixedPglite(source);
	return createDriverFactory(async ({driverConfiguration}) => {
		const lock = sessionLockFor(source);
		await (await handle.instance()).waitReady;
		const parsers = await createParsers(handle, lock, driverConfiguration.typeParsers);

		return {
			async createPoolClient({clientEventEmitter}) {
				let unlock: Unlock | undefined;
				let locking: Promise<void> | undefined;
				let ended = false;

				// Lazily on the first query: Slonik's `acquire` is synchronous and cannot wait.
				const hold = async () => {
					if (unlock) {
						return;
					}

					locking ??= lock.lock().then(granted => {
						locking = undefined;
						if (ended) {
							granted();
							throw new Error('PGlite client has ended.');
						}

						unlock = granted;
					});
					await locking;
				};

				const letGo = () => {
					const granted = unlock;
					unlock = undefined;
					granted?.();
				};

				// Emitted after the reset query (`DISCARD ALL`) succeeded: the session is clean again.
				clientEventEmitter.on('release', letGo);

				const onNotice = (notice: {message?: string}) => {
					if (notice.message) {
						clientEventEmitter.emit('notice', {message: notice.message});
					}
				};

				const run = async (text: string, values: readonly unknown[] | undefined): Promise<DriverQueryResult> => {
					await hold();
					const pglite = await handle.instance();
					try {
						const result = await pglite.query<Record<string, unknown>>(text, values ? [...values] : [], {
							parsers,
							rowMode: 'object',
							onNotice,
						});
						return {
							command: result.command as DriverQueryResult['command'],
							fields: result.fields.map(field => ({dataTypeId: field.dataTypeID, name: field.name})),
							rowCount: result.rowCount ?? result.affectedRows ?? null,
							rows: result.rows,
						};
					} catch (error) {
						// Still holding the session: no other statement can reach a broken instance first.
						throw await handle.failed(error) ?? wrapPgliteError(error, {sql: text, values: values ?? []});
					}
				};

				return {
					async connect() {
						const pglite = await handle.instance();
						await pglite.waitReady;
						if (pglite.closed) {
							throw new Error('PGlite is closed.');
						}
					},
					async end() {
						ended = true;
						clientEventEmitter.off('release', letGo);
						if (unlock) {
							// Destroyed while owning the session (e.g. released mid-transaction, so
							// DISCARD ALL failed): the shared session must not stay inside that
							// transaction, nor keep its settings, for the next connection.
							// Only on the instance that is open now: after a storage fault there is none, and
							// a statement would reopen the directory just to roll back.
							const pglite = handle.current;
							try {
								if (pglite && !pglite.closed) {
									await pglite.query('ROLLBACK');
									await pglite.query('DISCARD ALL');
								}
							} catch {
								// Nothing more can be done for a session that cannot roll back.
							}

							letGo();
						}
					},
					query: run,
					stream(text, values) {
						// PGlite has no cursors over its single session here; the whole result is read
						// under the session lock and replayed row by row. Slonik ends the stream before
						// it releases the connection, so the lock covers it.
						async function * rows(): AsyncGenerator<DriverStreamResult> {
							const result = await run(text, values);
							for (const row of result.rows) {
								yield {fields: result.fields, row};
							}
						}

						return Readable.from(rows());
					},
				};
			},
		};
	});
}
