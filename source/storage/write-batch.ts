import type {CommonQueryMethods} from 'slonik';
import type {Clock} from '../engine/types.js';
import {insertHealthchecks, type HealthcheckRow} from './healthcheck-row.js';
import type {PendingRow, SiteDefinition} from './journal-record.js';
import type {SiteResolver} from './site-resolver.js';

/** How long one batch may take. */
export type WriteBatchOptions = {
	readonly clock: Clock;
	/** A statement not answered within this long is given up on (and retried by the caller). */
	readonly timeoutMs: number;
};

async function withTimeout<T>(work: Promise<T>, {clock, timeoutMs}: WriteBatchOptions): Promise<T> {
	let timer: unknown;
	const expired = new Promise<never>((_resolve, reject) => {
		timer = clock.setTimer(() => {
			reject(new Error(`the database did not answer within ${Math.round(timeoutMs / 1000)} s`));
		}, timeoutMs);
	});
	try {
		// A connection whose peer vanished without a reset can wait for minutes; the batch must not.
		// If the statement commits later anyway, the retry's rows are ignored as conflicts.
		return await Promise.race([work, expired]);
	} finally {
		clock.clearTimer(timer);
	}
}

/**
Stores one batch with one INSERT. Rows whose website id is not known (0) get it from their URL
first; rows that still have none (their site is gone, or a journal line was lost) are left out and
counted as `unresolved`.
*/
export async function writeBatch(
	connection: CommonQueryMethods,
	batch: ReadonlyArray<PendingRow | undefined>,
	resolver: SiteResolver,
	options: WriteBatchOptions,
): Promise<{unresolved: number}> {
	const wanted = new Map<string, SiteDefinition | undefined>();
	for (const pending of batch) {
		if (pending?.row[0] === 0 && resolver.idFor(pending.url) === undefined) {
			wanted.set(pending.url, pending.site ?? wanted.get(pending.url));
		}
	}

	if (wanted.size > 0) {
		await withTimeout(resolver.resolve(connection, wanted), options);
	}

	const rows: HealthcheckRow[] = [];
	let unresolved = 0;
	for (const pending of batch) {
		const id = pending ? pending.row[0] || resolver.idFor(pending.url) : undefined;
		if (pending && id) {
			rows.push(pending.row[0] === id ? pending.row : [id, ...pending.row.slice(1)] as HealthcheckRow);
		} else {
			unresolved++;
		}
	}

	if (rows.length > 0) {
		await withTimeout(connection.query(insertHealthchecks(rows)), options);
	}

	return {unresolved};
}
