import {RE2JS} from 're2js';
import type {SiteView} from '../engine/site-state.js';
import {searchFields} from './site-display.js';

/** What `/` typed: a case-insensitive substring, or `/regex/`, over URL, status, code and error kind. */
export type SiteFilter = {
	/** The text as typed. */
	readonly text: string;
	/** False for the empty filter, which shows everything. */
	readonly active: boolean;
	/** Why a `/regex/` did not compile; such a filter matches nothing. */
	readonly error?: string;
	matches(view: SiteView): boolean;
};

/**
Compiles the filter once per text. `/…/` (at least one character between the slashes) is a regex; it
runs on RE2 (linear time), never V8's backtracking engine: a pattern like `(a+)+$` would otherwise
freeze the UI for seconds per site, across 100,000 sites.
*/
export function compileFilter(text: string, slowMs: number): SiteFilter {
	if (text === '') {
		return {text, active: false, matches: () => true};
	}

	if (text.length >= 3 && text.startsWith('/') && text.endsWith('/')) {
		let pattern: RE2JS;
		try {
			pattern = RE2JS.compile(text.slice(1, -1), RE2JS.CASE_INSENSITIVE);
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			return {text, active: true, error: reason, matches: () => false};
		}

		return {
			text,
			active: true,
			matches: view => searchFields(view, slowMs).some(field => field !== '' && pattern.test(field)),
		};
	}

	const needle = text.toLowerCase();
	return {
		text,
		active: true,
		matches: view => searchFields(view, slowMs).some(field => field.toLowerCase().includes(needle)),
	};
}
