/**
Remote text (URLs, bodies, headers, error messages) is untrusted. Before it reaches a terminal it
loses escape sequences, control characters and bidi overrides, so a hostile server cannot move the
cursor, retitle the window, hide text or reorder what the user reads.
*/

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P|X|^|_ ... ST), other two-byte ESC
// sequences, and the 8-bit C1 forms of CSI (0x9B) and OSC (0x9D).
const escapeSequence = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B\u009C]*(?:\u0007|\u001B\\|\u009C)?|\u001B[PX^_][^\u001B\u009C]*(?:\u001B\\|\u009C)?|\u001B[@-Z\\]|\u009B[0-?]*[ -/]*[@-~]|\u009D[^\u0007\u009C]*(?:\u0007|\u009C)?/g;
// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, line/paragraph separators.
const unsafeCharacter = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/**
Returns `text` safe to print on one terminal line: escape sequences removed, other control and bidi
characters replaced by `�`, whitespace runs (including newlines and tabs) collapsed to one space.
`maxLength` (in UTF-16 units) truncates with an ellipsis.
*/
export function sanitizeForTerminal(text: string, maxLength = Infinity): string {
	let clean = text
		.replaceAll(escapeSequence, '')
		.replaceAll(/[\t\n\v\f\r]+/g, ' ')
		.replaceAll(unsafeCharacter, '\uFFFD');
	if (clean.length > maxLength) {
		clean = clean.slice(0, Math.max(0, maxLength - 1)) + '…';
	}

	return clean;
}

/**
Quotes untrusted text (a CSV field, a flag's value) for a message: JSON string syntax, so control
characters show as `\n` or `\u001b`, with bidi and other invisible controls written as `\uXXXX`
too (JSON leaves them raw), and at most `maxLength` characters of it (a 50 MB field must not become
a 50 MB message). The reader sees what the file holds instead of having it act on the terminal.
*/
export function quoteUntrusted(text: string, maxLength = 80): string {
	const shown = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
	return JSON.stringify(shown).replaceAll(unsafeCharacter, character => String.raw`\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
