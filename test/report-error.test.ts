import {readFileSync} from 'node:fs';
import test from 'ava';
import {DatabaseConfigError, DatabaseUnavailableError, InputError, WebmonError, type ErrorCode} from '../source/errors.js';
import {errorExitCodes, exitBug, exitFileSystem} from '../source/exit-codes.js';
import {reportError} from '../source/report-error.js';

test('each error code gets its exit code from the table, as one sanitized line', t => {
	const errors: WebmonError[] = [
		new InputError('data/x.csv:7: interval "abc" is not a positive number'),
		new DatabaseConfigError('cannot connect to PostgreSQL at u@h:5432/d: database does not exist (3D000); check db_name "d" in db.json'),
		new DatabaseUnavailableError('PGlite data directory /x is in use by process 12'),
		new WebmonError('SCHEMA_TOO_NEW', 'the database schema is version 9'),
		new WebmonError('MIGRATION_FAILED', 'schema migration 1 initial schema failed:\nrelation "website" already exists'),
	];
	t.deepEqual(new Set(errors.map(error => error.code)), new Set(Object.keys(errorExitCodes) as ErrorCode[]), 'every code is tried');
	for (const error of errors) {
		const report = reportError(error);
		t.is(report.exitCode, errorExitCodes[error.code].exitCode);
		t.regex(report.text, /^webmon-tui: [^\n]+\n$/, 'one line, no stack trace');
	}
});

test('a system error (the disk, not the program) is one line, exit 74', t => {
	let error: unknown;
	try {
		readFileSync('/nonexistent/webmon-tui/sites.csv');
	} catch (error_) {
		error = error_;
	}

	const report = reportError(error);
	t.is(report.exitCode, exitFileSystem);
	t.is(report.text, 'webmon-tui: ENOENT: no such file or directory, open \'/nonexistent/webmon-tui/sites.csv\'\n');
});

test('anything else is a bug: its stack trace and a line asking to report it at the issue tracker, exit 1', t => {
	const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string};
	let error: unknown;
	try {
		(undefined as unknown as {run(): void}).run();
	} catch (error_) {
		error = error_;
	}

	const report = reportError(error);
	t.is(report.exitCode, exitBug);
	const lines = report.text.trimEnd().split('\n');
	t.regex(lines[0]!, /^webmon-tui: unexpected error: TypeError: Cannot read properties of undefined/);
	t.true(lines.some(line => /^\s+at .*report-error\.test\.ts/.test(line)), 'the stack trace is printed');
	t.regex(lines.at(-1)!, new RegExp(`^webmon-tui: this is a bug in webmon-tui ${manifest.version.replaceAll('.', String.raw`\.`)}; please report it, with the lines above, at `));
	t.is(reportError('a thrown string').exitCode, exitBug);
});
