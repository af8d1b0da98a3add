/**
Reads the CLI's periodic `summary:` line (stderr). Each field is looked up on its own, so a summary
that gains or reorders fields (an aggregate over workers, say) still yields what it has.
*/

/** The fields the benchmark reports; undefined when the line lacks one. */
export type SummaryFields = {
	readonly limit: number | undefined;
	readonly inFlight: number | undefined;
	readonly waiting: number | undefined;
	readonly limitReason: string | undefined;
	readonly checksPerSecond: number | undefined;
	readonly latenessP99Ms: number | undefined;
	readonly loopP99Ms: number | undefined;
	readonly skipped: number | undefined;
	readonly stored: number | undefined;
	readonly queued: number | undefined;
	/** A short form for progress lines. */
	readonly brief: string;
};

function number(line: string, pattern: RegExp): number | undefined {
	const match = pattern.exec(line);
	return match ? Number(match[1]) : undefined;
}

/** The fields of a `summary:` line, or undefined for any other line. */
export function parseSummaryLine(line: string): SummaryFields | undefined {
	if (!line.startsWith('summary:')) {
		return undefined;
	}

	const fields = {
		limit: number(line, /\blimit (\d+)/),
		inFlight: number(line, /\bin-flight (\d+)/),
		waiting: number(line, /\bwaiting (\d+)/),
		limitReason: /\bwaiting \d+ \(([^)]*)\)/.exec(line)?.[1],
		checksPerSecond: number(line, /\bchecks\/s ([\d.]+)/),
		latenessP99Ms: number(line, /\blate p99 (\d+) ms/),
		loopP99Ms: number(line, /\bloop p99 (\d+) ms/),
		skipped: number(line, /\bskipped (\d+)/),
		stored: number(line, /\b(\d+) stored/),
		queued: number(line, /\b(\d+) queued/),
	};
	const show = (name: string, value: number | string | undefined) => (value === undefined ? [] : [`${name} ${value}`]);
	const brief = [
		...show('checks/s', fields.checksPerSecond),
		...show('limit', fields.limit),
		...show('in-flight', fields.inFlight),
		...show('waiting', fields.waiting),
		...(fields.limitReason === undefined ? [] : [`(${fields.limitReason})`]),
		...show('late p99', fields.latenessP99Ms),
		...show('loop p99', fields.loopP99Ms),
		...show('skipped', fields.skipped),
		...show('stored', fields.stored),
		...show('queued', fields.queued),
	].join(', ');
	return {...fields, brief};
}
