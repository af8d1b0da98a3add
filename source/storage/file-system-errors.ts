/** A failure as the user is told of it: a file-system error code when there is one. */
export type FileSystemFailure = {
	/** `ENOSPC`, `EROFS`, ... when the failure was the file system's. */
	readonly code?: string | undefined;
	/** The error's own first line, for failures without a code. */
	readonly message: string;
};

/**
PGlite's file system reports errors as `ErrnoError` with Emscripten's (WASI) errno numbers and no
name; the ones a data directory can hit, by number.
*/
const codeByWasiErrno: Readonly<Record<number, string>> = {
	2: 'EACCES',
	19: 'EDQUOT',
	22: 'EFBIG',
	29: 'EIO',
	33: 'EMFILE',
	44: 'ENOENT',
	51: 'ENOSPC',
	63: 'EPERM',
	69: 'EROFS',
};

/** The reason in words, and what to do, for the codes a user can act on. */
const reasonByCode: Readonly<Record<string, {reason: string; advice: string}>> = {
	ENOSPC: {reason: 'no space left on device', advice: 'free some space or choose another --data-dir'},
	EDQUOT: {reason: 'disk quota exceeded', advice: 'free some space or choose another --data-dir'},
	EFBIG: {reason: 'file too large', advice: 'choose another --data-dir'},
	EROFS: {reason: 'read-only file system', advice: 'choose a writable --data-dir'},
	EACCES: {reason: 'permission denied', advice: 'choose a --data-dir you can write to'},
	EPERM: {reason: 'operation not permitted', advice: 'choose a --data-dir you can write to'},
	EIO: {reason: 'input/output error', advice: 'check the disk or choose another --data-dir'},
	EMFILE: {reason: 'too many open files', advice: 'raise the open files limit (ulimit -n)'},
	ENOENT: {reason: 'a file vanished while it was being created', advice: 'make sure nothing else writes to the --data-dir'},
};

/**
The code of `error`: a Node system error's own, or the one PGlite's errno stands for (the initdb
child sends this to its parent, as JSON).
*/
export function fileSystemFailure(error: unknown): FileSystemFailure {
	const {code, errno, message} = (error ?? {}) as {code?: unknown; errno?: unknown; message?: unknown};
	const text = typeof message === 'string' && message !== '' ? message.split('\n', 1)[0]! : String(error);
	if (typeof code === 'string') {
		return {code, message: text};
	}

	// Node's own errors carry `code`; a number alone is PGlite's file system speaking.
	if (typeof errno === 'number' && codeByWasiErrno[errno]) {
		return {code: codeByWasiErrno[errno], message: text};
	}

	return {message: text};
}

/** One line for the user: `no space left on device (ENOSPC); free some space or choose another --data-dir`. */
export function describeFileSystemFailure(failure: FileSystemFailure): string {
	const known = failure.code === undefined ? undefined : reasonByCode[failure.code];
	if (known) {
		return `${known.reason} (${failure.code}); ${known.advice}`;
	}

	return failure.code === undefined ? failure.message : `${failure.message} (${failure.code})`;
}
