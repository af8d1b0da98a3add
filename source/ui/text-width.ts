import {sanitizeForTerminal} from '../text/sanitize.js';
import type {Charset} from './types.js';

// East Asian Wide and Fullwidth blocks, and the emoji blocks that terminals draw two columns wide.
// An approximation of Unicode's tables, good enough to keep columns aligned: every line is also
// rendered with `wrap="truncate"`, so an underestimate costs a clipped character, never a wrapped line.
const wideRanges: ReadonlyArray<readonly [number, number]> = [
	[0x11_00, 0x11_5F],
	[0x23_1A, 0x23_1B],
	[0x23_29, 0x23_2A],
	[0x2E_80, 0x30_3E],
	[0x30_41, 0x33_FF],
	[0x34_00, 0x4D_BF],
	[0x4E_00, 0x9F_FF],
	[0xA0_00, 0xA4_CF],
	[0xAC_00, 0xD7_A3],
	[0xF9_00, 0xFA_FF],
	[0xFE_30, 0xFE_4F],
	[0xFF_00, 0xFF_60],
	[0xFF_E0, 0xFF_E6],
	[0x1_F3_00, 0x1_F6_4F],
	[0x1_F9_00, 0x1_F9_FF],
	[0x2_00_00, 0x3_FF_FD],
];

const zeroWidth = /^[\p{Enclosing_Mark}\p{Nonspacing_Mark}\u{200B}-\u{200D}]$/u;

/** Terminal columns taken by one code point. */
export function charWidth(char: string): number {
	const code = char.codePointAt(0) ?? 0;
	if (code < 0x3_00) {
		return 1;
	}

	if (zeroWidth.test(char)) {
		return 0;
	}

	for (const [low, high] of wideRanges) {
		if (code >= low && code <= high) {
			return 2;
		}
	}

	return 1;
}

/** Terminal columns taken by `text` (which holds no control characters). */
export function textWidth(text: string): number {
	let width = 0;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code < 0x3_00) {
			// The common case (URLs, numbers) without allocating a string per character.
			width++;
			continue;
		}

		const char = String.fromCodePoint(text.codePointAt(index)!);
		index += char.length - 1;
		width += charWidth(char);
	}

	return width;
}

/**
`text` cut to at most `width` columns, ending in `ellipsis` when cut; padded with spaces to exactly
`width` when `pad` is set (so table columns line up without Ink measuring each cell).
*/
export function fitText(text: string, width: number, ellipsis: string, pad = true): string {
	if (width <= 0) {
		return '';
	}

	const full = textWidth(text);
	if (full <= width) {
		return padTo(text, width, pad);
	}

	const cut = takeStart(text, Math.max(0, width - textWidth(ellipsis)));
	return padTo(width >= textWidth(ellipsis) ? cut + ellipsis : cut, width, pad);
}

/**
`text` cut to at most `width` columns by taking out its middle: the first `head` columns (default
half of what fits), `ellipsis`, then as much of the end as fits. For text whose two ends both say
something, as a URL's host and its path's last segments do. Never cuts through a wide character:
a column a wide character cannot use at the head goes to the tail.
*/
export function fitMiddle(text: string, width: number, ellipsis: string, head?: number, pad = true): string {
	const full = textWidth(text);
	const budget = width - textWidth(ellipsis);
	if (full <= width || budget <= 0) {
		return fitText(text, width, ellipsis, pad);
	}

	const start = takeStart(text, Math.max(0, Math.min(budget, head ?? Math.floor(budget / 2))));
	return padTo(start + ellipsis + takeEnd(text, budget - textWidth(start)), width, pad);
}

/** The longest start of `text` at most `columns` wide (with the combining marks after it). */
function takeStart(text: string, columns: number): string {
	let used = 0;
	let cut = '';
	for (const char of text) {
		const charColumns = charWidth(char);
		if (used + charColumns > columns) {
			break;
		}

		used += charColumns;
		cut += char;
	}

	return cut;
}

/** The longest end of `text` at most `columns` wide, not starting with a mark its base was cut from. */
function takeEnd(text: string, columns: number): string {
	const chars = [...text];
	let used = 0;
	let first = chars.length;
	while (first > 0 && used + charWidth(chars[first - 1]!) <= columns) {
		first--;
		used += charWidth(chars[first]!);
	}

	while (first < chars.length && charWidth(chars[first]!) === 0) {
		first++;
	}

	return chars.slice(first).join('');
}

function padTo(text: string, width: number, pad: boolean): string {
	const used = textWidth(text);
	return pad && used < width ? text + ' '.repeat(width - used) : text;
}

/** `text` with every character outside printable ASCII replaced by `?`, for non-UTF-8 terminals. */
export function toAscii(text: string): string {
	return text.replaceAll(/[^\u{20}-\u{7E}]/gu, '?');
}

/**
Remote text made safe and printable in `charset`: escape sequences, controls and bidi overrides gone
(see `sanitizeForTerminal`), and in ASCII mode nothing beyond printable ASCII.
*/
export function displayText(remote: string, charset: Charset): string {
	const clean = sanitizeForTerminal(remote);
	return charset === 'ascii' ? toAscii(clean) : clean;
}
