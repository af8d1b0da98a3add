import type {Glyphs} from './glyphs.js';
import {pendingPausePrompt} from './pause-sites.js';
import type {SiteFilter} from './site-filter.js';
import {displayText} from './text-width.js';
import type {Charset} from './types.js';
import type {UiState} from './ui-state.js';

/** Inputs of `statusLine`. */
export type StatusInput = {
	readonly state: UiState;
	readonly filter: SiteFilter;
	readonly shown: number;
	readonly total: number;
	/** The drain's progress text while quitting (untrusted: it may quote a database error). */
	readonly progress: string | undefined;
	readonly glyphs: Glyphs;
	readonly charset: Charset;
};

/** The footer's first line and whether it reports a problem. Priority: quitting, `P`'s question, filter prompt, message, summary. */
export function statusLine(input: StatusInput): {text: string; alert: boolean} {
	const {state, filter, glyphs, charset} = input;
	const text = (value: string) => displayText(value, charset);
	if (state.quitting) {
		const progress = input.progress === undefined ? 'waiting for the database writer to drain' : text(input.progress);
		return {text: `quitting: ${progress}${glyphs.ellipsis} (Ctrl-C again forces)`, alert: true};
	}

	if (state.pendingPause) {
		return {text: pendingPausePrompt(state.pendingPause), alert: true};
	}

	const invalid = filter.error === undefined ? '' : `  invalid regex: ${text(filter.error)}`;
	if (state.editingFilter) {
		return {
			text: `/${text(state.filter)}${glyphs.cursor}  ${input.shown} of ${input.total} match${invalid}  (Enter keeps, Esc clears)`,
			alert: invalid !== '',
		};
	}

	if (state.message) {
		return state.message;
	}

	const shown = filter.active ? `${input.shown} of ${input.total} sites match "${text(filter.text)}"` : `${input.total} sites`;
	return {
		text: `${shown}  sort ${state.sort}${state.reversed ? ' reversed' : ''}${invalid}`,
		alert: invalid !== '',
	};
}
