import {readFileSync} from 'node:fs';

/** Descriptors kept for everything that is not a check: the database, the journal, PGlite's files, the terminal, workers. */
const reservedDescriptors = 256;

/** Assumed when the limit cannot be read (not Linux): the smallest soft limit still common (macOS's 256 is raised by Node). */
const fallbackLimit = 1024;

/**
How many checks may be in flight at once without running out of file descriptors: each holds a
socket until it ends, and a check that fails to open one (EMFILE) would be stored as a failure of a
site that is fine. Nine tenths of the process's open-files limit (`ulimit -n`, which Node raises to
the hard limit at start-up), less a reserve for everything else.
*/
export function checksInFlightBudget(read: () => string | undefined = readLimits): {checks: number; openFiles: number} {
	const openFiles = openFilesLimit(read()) ?? fallbackLimit;
	return {checks: Math.max(16, Math.floor(openFiles * 0.9) - reservedDescriptors), openFiles};
}

/** The soft "Max open files" of `/proc/self/limits`, undefined when unknown or unlimited. */
export function openFilesLimit(limits: string | undefined): number | undefined {
	const soft = limits && /^Max open files\s+(\d+)/m.exec(limits)?.[1];
	return soft ? Number(soft) : undefined;
}

function readLimits(): string | undefined {
	try {
		return readFileSync('/proc/self/limits', 'utf8');
	} catch {
		return undefined;
	}
}
