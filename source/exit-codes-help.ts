import type {ErrorCode} from './errors.js';
import {errorExitCodes, exitCodes} from './exit-codes.js';

/** Help lines stay within this many columns after the indent meow adds (2), like the rest of --help. */
const width = 98;

/** `text` broken at spaces into lines of at most `width - column` characters, later ones indented to `column`. */
function hang(text: string, column: number): string {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		if (line !== '' && line.length + 1 + word.length > width - column) {
			lines.push(line);
			line = word;
		} else {
			line = line === '' ? word : `${line} ${word}`;
		}
	}

	lines.push(line);
	return lines.join(`\n${' '.repeat(column)}`);
}

/**
The "Exit codes" section of --help, built from the tables in `exit-codes.ts` so the two never
disagree: each exit code, and under it the error codes that end with it. `indent` starts each line.
*/
export function exitCodesHelp(indent: string): string {
	const errorCodes = Object.keys(errorExitCodes) as ErrorCode[];
	const codeColumn = Math.max(...errorCodes.map(code => code.length)) + 2;
	const lines = ['Exit codes'];
	for (const {exitCode, meaning} of exitCodes) {
		const label = String(exitCode).padEnd(5);
		lines.push(`  ${label}${hang(meaning, 7)}`);
		for (const code of errorCodes) {
			if (errorExitCodes[code].exitCode !== exitCode) {
				continue;
			}

			lines.push(`         ${code.padEnd(codeColumn)}${hang(errorExitCodes[code].meaning, 9 + codeColumn)}`);
		}
	}

	return lines.map(line => line.split('\n').map(part => `${indent}${part}`).join('\n')).join('\n');
}
