import type {Charset, DisplayStatus} from './types.js';

/** Every non-ASCII character the UI prints comes from here, so ASCII mode cannot leak one. */
export type Glyphs = {
	/** Status symbols; each one column wide. */
	readonly status: Readonly<Record<DisplayStatus, string>>;
	/** Sparkline levels, lowest first. */
	readonly spark: readonly string[];
	/** A failed check in a sparkline. */
	readonly sparkFailure: string;
	readonly ellipsis: string;
	readonly selected: string;
	readonly ascending: string;
	readonly descending: string;
	/** Horizontal rule character. */
	readonly rule: string;
	readonly regexOk: string;
	readonly regexFail: string;
	readonly none: string;
	readonly arrow: string;
	readonly cursor: string;
};

const unicode: Glyphs = {
	// Ambiguous-width and narrow symbols only: emoji-presentation characters are two columns in some
	// terminals and one in others, which breaks column alignment.
	status: {up: '●', down: '✗', slow: '◐', paused: '‖', pending: '○'},
	spark: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
	sparkFailure: '×',
	ellipsis: '…',
	selected: '›',
	ascending: '↑',
	descending: '↓',
	rule: '─',
	regexOk: '✓',
	regexFail: '✗',
	none: '·',
	arrow: '→',
	cursor: '▏',
};

const ascii: Glyphs = {
	status: {up: '+', down: 'x', slow: '~', paused: '=', pending: '.'},
	spark: ['_', '.', ',', '-', '~', '=', '*', '#'],
	sparkFailure: 'x',
	ellipsis: '~',
	selected: '>',
	ascending: '^',
	descending: 'v',
	rule: '-',
	regexOk: 'ok',
	regexFail: 'no',
	none: '-',
	arrow: '->',
	cursor: '_',
};

/** The glyph set for `charset`. */
export function glyphsFor(charset: Charset): Glyphs {
	return charset === 'ascii' ? ascii : unicode;
}
