import {readFile} from 'node:fs/promises';
import {CsvError, parse} from 'csv-parse/sync';
import {InputError} from '../errors.js';
import {normalizeSiteUrl} from './normalize-url.js';
import {parseIntervalSeconds, parseRegexField} from './site-fields.js';

/** One row of a sites CSV, validated. */
export type SiteInput = {
	/** Normalised URL (the predecessor's `url_uq`), e.g. `https://facebook.com:443`. Unique per file. */
	readonly url: string;
	/** Whole seconds between checks, 1 to `maxIntervalSeconds`. */
	readonly intervalSeconds: number;
	/** RE2 pattern the body must match; absent when the row had no (or an empty) third field. */
	readonly regex?: string | undefined;
	/** 1-based line of the row in the file, for messages. */
	readonly line: number;
};

type Row = {
	readonly fields: readonly string[];
	readonly line: number;
};

const fieldsHint = 'url,interval[,regex]';

/**
Reads and validates a sites CSV in the predecessor's format: `url,interval[,regex]` per line, `,`
between fields, optional `"` quotes, blank lines and `#` comment lines ignored, UTF-8 with or
without a BOM, LF or CRLF.

@param path The path as the user gave it; messages quote it unchanged.
@throws {InputError} One line naming the file, the line and the field:
`data/x.csv:7: interval "abc" is not a positive number`.
*/
export async function readSitesCsv(path: string): Promise<SiteInput[]> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		throw new InputError(`cannot read sites file ${path}: ${errorCode(error)}`, {cause: error});
	}

	return parseSitesCsv(text, path);
}

/**
Parses and validates the text of a sites CSV; `readSitesCsv` without the file system.

@param fileLabel Names the source in messages (`data/x.csv:3: …`).
@throws {InputError} As `readSitesCsv`.
*/
export function parseSitesCsv(text: string, fileLabel: string): SiteInput[] {
	const lines = text.split(/\r\n|\r|\n/);
	const rows: Row[] = [];
	let previousEnd = 0;

	try {
		parse(text, {
			delimiter: ',',
			quote: '"',
			escape: '"',
			bom: true,
			trim: true,
			skip_empty_lines: true,
			relax_column_count: true,
			// Like the predecessor's Python `csv`: a `"` inside an unquoted field is literal (`dog"s`).
			relax_quotes: true,
			comment: '#',
			// Only whole-line comments: `#` is common inside regexes and URLs.
			comment_no_infix: true,
			on_record(record: string[], context) {
				rows.push({fields: record, line: firstContentLine(lines, previousEnd)});
				previousEnd = context.lines;
				return null;
			},
		});
	} catch (error) {
		if (!(error instanceof CsvError)) {
			throw error;
		}

		// Rows before the syntax error may hold an earlier mistake; the user should see that first.
		validateRows(rows, fileLabel);
		throw csvSyntaxError(error, lines, previousEnd, fileLabel);
	}

	const sites = validateRows(rows, fileLabel);
	if (sites.length === 0) {
		throw new InputError(`${fileLabel}: no sites found (expected lines of ${fieldsHint})`);
	}

	return sites;
}

function validateRows(rows: readonly Row[], fileLabel: string): SiteInput[] {
	const sites: SiteInput[] = [];
	const lineByUrl = new Map<string, number>();
	for (const {fields, line} of rows) {
		const fail = (message: string, cause?: unknown) =>
			new InputError(`${fileLabel}:${line}: ${message}`, {cause});

		// A quoted field holding a line break is legal CSV, but here it nearly always means a
		// stray quote swallowed the following lines; say so at the line where it starts.
		const multiLine = fields.findIndex(field => /[\r\n]/.test(field));
		if (multiLine !== -1) {
			throw fail(`field ${multiLine + 1} spans several lines (is a quote unbalanced?)`);
		}

		if (fields.length < 2 || fields.length > 3) {
			throw fail(`expected 2 or 3 fields (${fieldsHint}), got ${fields.length}`);
		}

		const [rawUrl, rawInterval, rawRegex] = fields as [string, string, string?];
		let site: SiteInput;
		try {
			const url = normalizeSiteUrl(rawUrl);
			const intervalSeconds = parseIntervalSeconds(rawInterval);
			const regex = parseRegexField(rawRegex);
			site = regex === undefined ? {url, intervalSeconds, line} : {url, intervalSeconds, regex, line};
		} catch (error) {
			if (error instanceof InputError) {
				throw fail(error.message, error);
			}

			throw error;
		}

		const firstLine = lineByUrl.get(site.url);
		if (firstLine !== undefined) {
			// The predecessor's `url_uq` is unique; "last one wins" would silently drop a row.
			throw fail(`url ${JSON.stringify(site.url)} duplicates line ${firstLine}`);
		}

		lineByUrl.set(site.url, line);
		sites.push(site);
	}

	return sites;
}

function csvSyntaxError(error: CsvError, lines: readonly string[], previousEnd: number, fileLabel: string): InputError {
	const reportedLine = typeof error['lines'] === 'number' ? error['lines'] : undefined;
	if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
		// csv-parse reports where the input ended; the user needs the line where the quote opened,
		// which is the first content line after the last complete record.
		const line = firstContentLine(lines, previousEnd);
		return new InputError(`${fileLabel}:${line}: quote is never closed`, {cause: error});
	}

	const reason = error.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE' || error.code === 'CSV_INVALID_CLOSING_QUOTE'
		? 'unexpected character after a closing quote (quote the whole field and double inner quotes: "a ""b""")'
		: error.message.replace(/ at line \d+$/, '');
	return new InputError(`${fileLabel}:${reportedLine ?? previousEnd + 1}: ${reason}`, {cause: error});
}

/**
The 1-based number of the first line after line `after` that csv-parse would not skip (blank or
`#` comment). Only valid while every record so far was on one line, which `validateRows` enforces.
*/
function firstContentLine(lines: readonly string[], after: number): number {
	for (let index = after; index < lines.length; index++) {
		const content = lines[index]!.trim();
		if (content !== '' && !content.startsWith('#')) {
			return index + 1;
		}
	}

	return after + 1;
}

function errorCode(error: unknown): string {
	if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
		return error.code;
	}

	return error instanceof Error ? error.message : String(error);
}
