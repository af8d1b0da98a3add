/** The bounds on what waits for the database, as the CLI takes them. */
export type StorageBounds = {
	/** `--journal-max-mb`. */
	journalMaxMb?: number;
	/** `--memory-max-results`. */
	memoryMaxResults?: number;
};

/** `--journal-max-mb` and `--memory-max-results` (undefined when not given), or a line saying what is wrong. */
export function parseStorageBounds(flags: {journalMaxMb?: string | undefined; memoryMaxResults?: string | undefined}): StorageBounds | string {
	const bounds: StorageBounds = {};
	for (const [key, flag] of [['journalMaxMb', '--journal-max-mb'], ['memoryMaxResults', '--memory-max-results']] as const) {
		const text = flags[key];
		const value = Number(text);
		if (text !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
			return `${flag} "${text}" must be a positive whole number`;
		}

		if (text !== undefined) {
			bounds[key] = value;
		}
	}

	return bounds;
}
