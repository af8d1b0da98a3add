import {IntegrityConstraintViolationError, InvalidInputError} from 'slonik';

/** The SQLSTATE on an error or its `cause` chain (Slonik wraps some driver errors). */
function sqlState(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && depth < 4; depth++) {
		const {code, cause} = current as {code?: unknown; cause?: unknown};
		if (typeof code === 'string') {
			return code;
		}

		current = cause;
	}

	return undefined;
}

/**
A failure caused by the rows themselves (SQLSTATE class 22 data exception or 23 integrity, e.g. a
site deleted while its results were queued): retrying the same batch can never succeed, unlike a
connection or server failure, which a later attempt may outlast.
*/
export function isRowError(error: unknown): boolean {
	return error instanceof InvalidInputError
		|| error instanceof IntegrityConstraintViolationError
		|| /^2[23]/.test(sqlState(error) ?? '');
}

/** The first line of an error's message, at most 500 characters, for status displays. */
export function firstLine(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return (message.split('\n', 1)[0] ?? '').slice(0, 500);
}
