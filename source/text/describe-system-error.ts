import {getSystemErrorMessage} from 'node:util';

/**
Describes a failed system call for a message: `permission denied (EACCES)`, `read-only file system
(EROFS)`. The words come from libuv (what `strerror` says) and the code is what to search for; other
errors give their message.
*/
export function describeSystemError(error: unknown): string {
	if (error instanceof Error && 'errno' in error && typeof error.errno === 'number' && 'code' in error && typeof error.code === 'string') {
		return `${getSystemErrorMessage(error.errno)} (${error.code})`;
	}

	return error instanceof Error ? error.message.split('\n', 1)[0]! : String(error);
}
