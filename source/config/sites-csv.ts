import {InputError} from '../errors.js';
import {quoteUntrusted} from '../text/sanitize.js';
import {isSkippedLine, splitCsvLine} from './csv-line.js';
import {maxLineLength} from './input-limits.js';
import {normalizeSiteUrl} from './normalize-url.js';
import {parseIntervalSeconds, parseRegexField} from './site-fields.js';
import {readTextLines, tooLong} from './text-lines.js';

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

/** How to read a sites file. */
export type ReadSitesOptions = {
	/** `--csv-encoding`: a WHATWG encoding label; default UTF-8. */
	readonly encoding?: string | undefined;
};

const fieldsHint = 'url,interval[,regex]';
const fieldNames = ['url', 'interval', 'regex'] as const;

/**
Reads and validates a sites CSV in the predecessor's format: `url,interval[,regex]` per line, `,`
between fields, optional `"` quotes (see `csv-line.ts`), blank lines and `#` comment lines ignored,
UTF-8 (or `encoding`) with or without a BOM, LF, CRLF or CR. The file is read as a stream and
checked against the bounds in `input-limits.ts` as it goes.

@param path The path as the user gave it; messages quote it unchanged.
@param options The encoding (default UTF-8).
@throws {InputError} One line naming the file, the line and the field:
`data/x.csv:7: interval "abc" is not a positive number`.
*/
export async function readSitesCsv(path: string, options: ReadSitesOptions = {}): Promise<SiteInput[]> {
	const collector = createSiteCollector(path);
	for await (const lines of readTextLines(path, {label: path, encoding: options.encoding, fieldNames})) {
		for (const line of lines) {
			collector.add(line);
		}
	}

	return collector.finish();
}

/**
Parses and validates the text of a sites CSV; `readSitesCsv` without the file system.

@param text The whole file's text.
@param fileLabel Names the source in messages (`data/x.csv:3: …`).
@throws {InputError} As `readSitesCsv`.
*/
export function parseSitesCsv(text: string, fileLabel: string): SiteInput[] {
	const collector = createSiteCollector(fileLabel);
	const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
	if (lines.at(-1) === '') {
		lines.pop();
	}

	for (const line of lines) {
		collector.add(line);
	}

	return collector.finish();
}

/** Validates lines one at a time, in order, keeping only the sites. */
function createSiteCollector(fileLabel: string) {
	const sites: SiteInput[] = [];
	const lineByUrl = new Map<string, number>();
	// Many sites share a handful of patterns: one string each, not one per site.
	const patterns = new Map<string, string>();
	let line = 0;
	return {
		add(text: string): void {
			line++;
			if (text.length > maxLineLength) {
				throw tooLong(fileLabel, line, maxLineLength);
			}

			if (isSkippedLine(text)) {
				return;
			}

			const site = parseRow(text, line, fileLabel);
			const firstLine = lineByUrl.get(site.url);
			if (firstLine !== undefined) {
				// The predecessor's `url_uq` is unique; "last one wins" would silently drop a row.
				throw new InputError(`${fileLabel}:${line}: url ${quoteUntrusted(site.url)} duplicates line ${firstLine}`);
			}

			lineByUrl.set(site.url, line);
			if (site.regex === undefined) {
				sites.push(site);
				return;
			}

			const regex = patterns.get(site.regex) ?? site.regex;
			patterns.set(regex, regex);
			sites.push({...site, regex});
		},
		finish(): SiteInput[] {
			if (sites.length === 0) {
				throw new InputError(`${fileLabel}: no sites found (expected lines of ${fieldsHint})`);
			}

			return sites;
		},
	};
}

function parseRow(text: string, line: number, fileLabel: string): SiteInput {
	const fail = (message: string, cause?: unknown) => new InputError(`${fileLabel}:${line}: ${message}`, {cause});
	const split = splitCsvLine(text);
	if ('problem' in split) {
		const field = `field ${split.field + 1}${split.field < fieldNames.length ? ` (${fieldNames[split.field]})` : ''}`;
		throw fail(split.problem === 'unclosed-quote'
			// A quoted field holding a line break is legal CSV, but here it nearly always means a
			// stray quote that would swallow the following lines.
			? `${field}: a quote opens and is not closed on this line (fields cannot span lines; is a quote unbalanced?)`
			: `${field}: unexpected character after a closing quote (quote the whole field and double inner quotes: "a ""b""")`);
	}

	const {fields} = split;
	if (fields.length < 2 || fields.length > 3) {
		throw fail(`expected 2 or 3 fields (${fieldsHint}), got ${fields.length}`);
	}

	const [rawUrl, rawInterval, rawRegex] = fields as [string, string, string?];
	try {
		const url = normalizeSiteUrl(rawUrl);
		const intervalSeconds = parseIntervalSeconds(rawInterval);
		const regex = parseRegexField(rawRegex);
		return regex === undefined ? {url, intervalSeconds, line} : {url, intervalSeconds, regex, line};
	} catch (error) {
		if (error instanceof InputError) {
			throw fail(error.message, error);
		}

		throw error;
	}
}
