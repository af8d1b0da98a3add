import {Box, Text} from 'ink';
import type {SiteView} from '../engine/site-state.js';
import {fitUrl} from './fit-url.js';
import type {Glyphs} from './glyphs.js';
import {recentCheckHeading, recentCheckLine} from './recent-check-line.js';
import {displayStatus, formatDuration} from './site-display.js';
import {displayText, fitText} from './text-width.js';
import type {Charset, RecentCheck} from './types.js';
import type {RecentChecksState} from './use-recent-checks.js';

/** Props of `DetailPane`. */
export type DetailPaneProps = {
	/** The site as the engine sees it now; undefined when it has been removed. */
	readonly view: SiteView | undefined;
	readonly recent: RecentChecksState;
	readonly width: number;
	/** Exactly this many lines are drawn. */
	readonly height: number;
	readonly slowMs: number;
	readonly glyphs: Glyphs;
	readonly charset: Charset;
	readonly color: boolean;
};

/** The selected site's recent stored checks, drawn in place of the table. */
export function DetailPane(props: DetailPaneProps) {
	const {view, recent, width, glyphs, charset} = props;
	const fit = (text: string) => fitText(text, width, glyphs.ellipsis, false) || ' ';
	const lines: string[] = [];
	if (view) {
		lines.push(fitUrl(displayText(view.url, charset), width, glyphs.ellipsis) || ' ');
		lines.push(fit([
			`status ${displayStatus(view, props.slowMs)}`,
			`every ${formatDuration(view.intervalSeconds * 1000)}`,
			`checks ${view.checks}`,
			`failures ${view.failures}`,
			`skipped ${view.skipped}`,
			view.regex === undefined ? 'no regex' : `regex ${displayText(view.regex, charset)}`,
		].join('  ')));
	} else {
		lines.push(fit('This site is no longer monitored.'));
	}

	if (recent.state === 'loading') {
		lines.push(fit(`loading recent checks${glyphs.ellipsis}`));
	} else if (recent.state === 'failed') {
		lines.push(fit(`could not load recent checks: ${displayText(recent.error, charset)}`));
	} else if (recent.checks.length === 0) {
		lines.push(fit('no stored checks yet'));
	} else {
		lines.push(recentCheckHeading(width) || ' ');
		for (const check of recent.checks as RecentCheck[]) {
			lines.push(recentCheckLine(check, width, glyphs, charset) || ' ');
		}
	}

	const shown = lines.slice(0, props.height);
	while (shown.length < props.height) {
		shown.push(' ');
	}

	return (
		<Box flexDirection='column'>
			{shown.map((line, index) => (
				// Keyed by position: lines are places on the screen, not items that move.
				<Text key={index} wrap='truncate-end' bold={props.color && index === 0}>{line}</Text>
			))}
		</Box>
	);
}
