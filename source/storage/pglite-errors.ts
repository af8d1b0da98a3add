import {
	CheckExclusionConstraintViolationError,
	CheckIntegrityConstraintViolationError,
	ForeignKeyIntegrityConstraintViolationError,
	IdleTransactionTimeoutError,
	InputSyntaxError,
	InvalidInputError,
	NotNullIntegrityConstraintViolationError,
	StatementCancelledError,
	StatementTimeoutError,
	UniqueIntegrityConstraintViolationError,
} from 'slonik';

type QueryForError = {sql: string; values: readonly unknown[]};

/**
Maps a PGlite error to the Slonik error class `@slonik/pg-driver` would raise for the same SQLSTATE,
so callers can branch on one set of classes whichever backend runs. Unmapped errors pass through
unchanged and keep their `code` (Slonik's transaction retry looks at the 40xxx codes).
*/
export function wrapPgliteError(error: unknown, query: QueryForError): unknown {
	if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') {
		return error;
	}

	switch (error.code) {
		case '22P02': {
			return new InvalidInputError(error.message);
		}

		case '23502': {
			return new NotNullIntegrityConstraintViolationError(error);
		}

		case '23503': {
			return new ForeignKeyIntegrityConstraintViolationError(error);
		}

		case '23505': {
			return new UniqueIntegrityConstraintViolationError(error);
		}

		case '23514': {
			return new CheckIntegrityConstraintViolationError(error);
		}

		case '23P01': {
			return new CheckExclusionConstraintViolationError(error);
		}

		case '25P03': {
			return new IdleTransactionTimeoutError(error);
		}

		case '42601': {
			return new InputSyntaxError(error, {
				sql: query.sql,
				values: query.values as ConstructorParameters<typeof InputSyntaxError>[1]['values'],
			});
		}

		case '57014': {
			// The code alone does not tell a timeout from a cancellation; pg-driver reads the text too.
			return error.message.includes('canceling statement due to user request')
				? new StatementCancelledError(error)
				: new StatementTimeoutError(error);
		}

		default: {
			return error;
		}
	}
}
