import {Box, Text} from 'ink';
import {fitText} from './text-width.js';

// At most 78 columns a line, so the help reads whole at 80x24.
const lines = [
	'Keys',
	'  Up/Down, j/k    move the selection        PgUp/PgDn  move a page',
	'  g/G, Home/End   first / last site',
	'  /               filter as you type: a substring, or /regex/ (RE2 syntax),',
	'                  over URL, status, code, error kind; Enter keeps, Esc clears',
	'  s / S           cycle sort: status, latency, URL, next check, failures /',
	'                  reverse it (the arrow in the heading points up when reversed)',
	'  space           pause or resume the selected site (stored in the database)',
	'  P               pause or resume every site shown (asks y/N if more than one)',
	'  r               check the selected site now',
	'  Enter           recent stored checks of the selected site (Esc closes)',
	'  ?               this help (any key closes it)',
	'  q, Ctrl-C       quit after the database writer drains; Ctrl-C again forces',
	'',
	'Status: up, DOWN, slow (up, but slower than the threshold), paused, pending',
	'(not checked yet). RECENT: latency of the last checks on a log scale from',
	'10 ms to 10 s; failed checks are marked with a cross.',
];

/** Props of `HelpOverlay`. */
export type HelpOverlayProps = {
	readonly width: number;
	readonly height: number;
	readonly ellipsis: string;
};

/** The key reference, drawn in place of the table (exactly `height` lines). */
export function HelpOverlay({width, height, ellipsis}: HelpOverlayProps) {
	const shown = lines.slice(0, height);
	while (shown.length < height) {
		shown.push(' ');
	}

	return (
		<Box flexDirection='column'>
			{shown.map((line, index) => (
				// Keyed by position: lines are places on the screen, not items that move.
				<Text key={index} wrap='truncate-end'>{fitText(line, width, ellipsis, false) || ' '}</Text>
			))}
		</Box>
	);
}
