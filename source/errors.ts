/**
Every code a `WebmonError` can carry. `exit-codes.ts` maps each one to an exit code, and the compiler
refuses a code that has no entry there.
*/
export type ErrorCode =
	| 'INPUT_INVALID'
	| 'DATABASE_CONFIG_INVALID'
	| 'DATABASE_UNAVAILABLE'
	| 'SCHEMA_TOO_NEW'
	| 'MIGRATION_FAILED';

/**
One base class for every error the program raises on purpose, with a stable `code` to branch on
(never the message) and the underlying `cause`.
*/
export class WebmonError extends Error {
	/** Stable machine-readable code, e.g. `INPUT_INVALID`. */
	readonly code: ErrorCode;

	constructor(code: ErrorCode, message: string, options?: {cause?: unknown}) {
		super(message, options);
		this.name = new.target.name;
		this.code = code;
	}
}

/**
Bad input from the user (CSV, db-config, flags, regex, URL). The CLI prints `message` as one line and
exits 2. The message names the file, line and field where there is one:
`data/x.csv:7: interval "abc" is not a positive number`.
*/
export class InputError extends WebmonError {
	constructor(message: string, options?: {cause?: unknown}) {
		super('INPUT_INVALID', message, options);
	}
}

/** The database could not be reached or refused us. Never carries a password in its message. */
export class DatabaseUnavailableError extends WebmonError {
	constructor(message: string, options?: {cause?: unknown}) {
		super('DATABASE_UNAVAILABLE', message, options);
	}
}

/**
The database settings are wrong, not the server down: it answered and refused the password, the role
or the database, or its host name does not exist. Retrying cannot help, so the run does not start.
The message names the setting at fault (`db_pass in secrets/db.json`) and never the password.
*/
export class DatabaseConfigError extends WebmonError {
	constructor(message: string, options?: {cause?: unknown}) {
		super('DATABASE_CONFIG_INVALID', message, options);
	}
}
