/**
Plain-text tables and number formats for the benchmark's console report.
*/

/** Columns padded to their widest cell: the first left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column]?.length ?? 0)));
	const line = (cells: readonly string[]) => cells.map((cell, column) =>
		(column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
	return [line(header), widths.map(width => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Whole milliseconds. */
export const ms = (value: number) => String(Math.round(value));

/** Whole MiB. */
export const mib = (bytes: number) => String(Math.round(bytes / (1024 * 1024)));

/** `format(value)`, or `-` when there is no value. */
export const maybe = (value: number | undefined, format: (value: number) => string = String) => (value === undefined ? '-' : format(value));

/** `MET` when every part of a goal holds, else `missed (…)` naming the parts that did not. */
export function goalCell(parts: ReadonlyArray<readonly [held: boolean, name: string]>): string {
	const misses = parts.filter(([held]) => !held).map(([, name]) => name);
	return misses.length === 0 ? 'MET' : `missed (${misses.join(', ')})`;
}
