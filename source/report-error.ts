import {readFileSync} from 'node:fs';
import {inspect} from 'node:util';
import {WebmonError} from './errors.js';
import {errorExitCodes, exitBug, exitFileSystem} from './exit-codes.js';
import {sanitizeForTerminal} from './text/sanitize.js';

/** What the CLI prints for an error that ended the run, and the exit code it ends with. */
export type ErrorReport = {
	readonly exitCode: number;
	/** Complete lines for stderr, each ending in a newline. */
	readonly text: string;
};

/** Where bugs go: `bugs` in package.json (npm's field), so one edit there updates this line. */
function issueTracker(): {version: string; where: string} {
	try {
		const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
			version?: unknown;
			bugs?: unknown;
		};
		const {bugs} = manifest;
		const url = typeof bugs === 'string' ? bugs : (bugs as {url?: unknown} | undefined)?.url;
		return {
			version: typeof manifest.version === 'string' ? manifest.version : 'unknown version',
			where: typeof url === 'string' ? url : 'the project\'s issue tracker',
		};
	} catch {
		return {version: 'unknown version', where: 'the project\'s issue tracker'};
	}
}

/** A Node system error (ENOSPC, EACCES, EROFS ...): the machine refused, the program did not fail. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
	return error instanceof Error
		&& typeof (error as NodeJS.ErrnoException).code === 'string'
		&& typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/**
Turns an error that ended the run into one line and its exit code from `errorExitCodes`. A Node
system error is one line too (`exitFileSystem`). Anything else is a bug: its stack trace, and a line
asking to report it, exit 1.
*/
export function reportError(error: unknown): ErrorReport {
	if (error instanceof WebmonError && Object.hasOwn(errorExitCodes, error.code)) {
		return {exitCode: errorExitCodes[error.code].exitCode, text: `webmon-tui: ${sanitizeForTerminal(error.message)}\n`};
	}

	if (isSystemError(error)) {
		return {exitCode: exitFileSystem, text: `webmon-tui: ${sanitizeForTerminal(error.message)}\n`};
	}

	const {version, where} = issueTracker();
	const trace = error instanceof Error ? error.stack ?? String(error) : inspect(error);
	return {
		exitCode: exitBug,
		text: `webmon-tui: unexpected error: ${trace}\n`
			+ `webmon-tui: this is a bug in webmon-tui ${version}; please report it, with the lines above, at ${where}\n`,
	};
}
