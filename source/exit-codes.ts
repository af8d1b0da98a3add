import type {ErrorCode} from './errors.js';
import {exitResultsJournaled, exitResultsLost} from './storage/drain-writer.js';

/** An exit code and what it tells the user; README (Exit codes) and --help list these. */
export type ExitCodeMeaning = {
	readonly exitCode: number;
	readonly meaning: string;
};

/** Exit code of an error the program did not expect: a bug, reported with its stack trace. */
export const exitBug = 1;

/**
Exit code of a file the operating system would not let us read or write (sysexits EX_IOERR): at
start-up, or during the run when results could be neither stored nor journaled (`exitResultsLost`).
*/
export const exitFileSystem = exitResultsLost;

/** Every exit code, in order. Errors get theirs from `errorExitCodes`. */
export const exitCodes: readonly ExitCodeMeaning[] = [
	{exitCode: 0, meaning: 'finished, or stopped cleanly with every result stored'},
	{exitCode: exitBug, meaning: 'a bug: a stack trace and where to report it'},
	{exitCode: 2, meaning: 'could not start; one line on stderr says what to fix (error codes below)'},
	{exitCode: exitFileSystem, meaning: 'a file or directory could not be read or written (disk full, read-only, permissions); at the end of a run: results were lost, neither stored nor journaled'},
	{exitCode: exitResultsJournaled, meaning: 'stopped while the database was unreachable; the results wait in the journal'},
	// 128 + the signal's number, as a shell reports it (source/shutdown/shutdown-controller.ts).
	{exitCode: 129, meaning: 'a second SIGHUP: checks in flight aborted, results not stored yet journaled'},
	{exitCode: 130, meaning: 'a second Ctrl-C (SIGINT): the same'},
	{exitCode: 143, meaning: 'a second SIGTERM: the same'},
];

/**
The exit code of every error code, and when the error is raised. The one table the CLI maps errors
with; a code without an entry does not compile.
*/
export const errorExitCodes: Readonly<Record<ErrorCode, ExitCodeMeaning>> = {
	INPUT_INVALID: {exitCode: 2, meaning: 'bad input: sites CSV, db config, DATABASE_URL, flags, regex, URL'},
	DATABASE_CONFIG_INVALID: {exitCode: 2, meaning: 'wrong password, role or database name, or no such host'},
	// A server that is down is not this: the run starts and journals, unless it cannot do without it.
	DATABASE_UNAVAILABLE: {exitCode: 2, meaning: 'no database to start with: PGlite directory in use or not creatable, no server for --drop-tables or an uncached --sites-table'},
	SCHEMA_TOO_NEW: {exitCode: 2, meaning: 'a newer webmon-tui has migrated the database'},
	MIGRATION_FAILED: {exitCode: 2, meaning: 'the schema could not be updated (e.g. the role may not CREATE)'},
};
