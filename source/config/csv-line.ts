/*
The sites file's dialect, one record per line: fields separated by `,`, optionally `"`-quoted with
`""` for a quote inside, whitespace around fields ignored, a `"` inside an unquoted field taken
literally (`dog"s`, like the predecessor's Python `csv`). A quoted field cannot span lines: here
that nearly always means a stray quote that would swallow the rows after it.

Hand-written rather than csv-parse (which the project used before): one record per line makes it a
few lines, and csv-parse spent 64% of a million-row file building a CsvError for every row whose
field count differed from the first row's (thrown away under relax_column_count), or 29 us per line
when called line by line.
*/

/** A line split into fields, or the first syntax problem and the (0-based) field it is in. */
export type CsvLine =
	| {readonly fields: string[]}
	| {readonly problem: 'unclosed-quote' | 'text-after-quote'; readonly field: number};

/** True for a line the file format skips: blank, or a comment (`#` first after leading whitespace). */
export function isSkippedLine(line: string): boolean {
	const content = line.trimStart();
	return content === '' || content.startsWith('#');
}

/** Splits one line (without its line break) into trimmed fields. */
export function splitCsvLine(line: string): CsvLine {
	// Most lines have no quote at all.
	if (!line.includes('"')) {
		return {fields: line.split(',').map(field => field.trim())};
	}

	const fields: string[] = [];
	let position = 0;
	for (;;) {
		const start = skipSpaces(line, position);
		let end: number;
		if (line[start] === '"') {
			const quoted = readQuoted(line, start + 1);
			if (quoted === undefined) {
				return {problem: 'unclosed-quote', field: fields.length};
			}

			fields.push(quoted.text);
			end = skipSpaces(line, quoted.end);
			if (end < line.length && line[end] !== ',') {
				return {problem: 'text-after-quote', field: fields.length - 1};
			}
		} else {
			end = line.indexOf(',', start);
			end = end === -1 ? line.length : end;
			fields.push(line.slice(start, end).trim());
		}

		if (end >= line.length) {
			return {fields};
		}

		position = end + 1;
	}
}

/**
The 0-based field that position `offset` of `line` falls in, counting as `splitCsvLine` does (a
separator inside quotes does not count): where an undecodable byte was found, say.
*/
export function fieldAt(line: string, offset: number): number {
	let field = 0;
	let quoted = false;
	let fieldStart = true;
	for (let index = 0; index < offset && index < line.length; index++) {
		const character = line[index]!;
		if (character === '"' && (quoted || fieldStart)) {
			quoted = !quoted;
		} else if (character === ',' && !quoted) {
			field++;
			fieldStart = true;
			continue;
		}

		if (character !== ' ' && character !== '\t') {
			fieldStart = false;
		}
	}

	return field;
}

function skipSpaces(line: string, from: number): number {
	let index = from;
	while (index < line.length && /\s/.test(line[index]!)) {
		index++;
	}

	return index;
}

/** Reads a quoted field's text from just after its opening quote; undefined when the line ends first. */
function readQuoted(line: string, from: number): {text: string; end: number} | undefined {
	let text = '';
	let index = from;
	for (;;) {
		const close = line.indexOf('"', index);
		if (close === -1) {
			return undefined;
		}

		text += line.slice(index, close);
		if (line[close + 1] !== '"') {
			return {text, end: close + 1};
		}

		text += '"';
		index = close + 2;
	}
}
