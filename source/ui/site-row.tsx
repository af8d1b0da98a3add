import {Text} from 'ink';
import {memo} from 'react';
import type {RowCells} from './table-layout.js';
import type {DisplayStatus} from './types.js';

/** Colours for the status cell; the symbol and label already say the same without colour. */
const statusColor: Readonly<Record<DisplayStatus, string>> = {
	up: 'green',
	down: 'red',
	slow: 'yellow',
	paused: 'blue',
	pending: 'gray',
};

/** Props of `SiteRow`. */
export type SiteRowProps = {
	readonly cells: RowCells;
	readonly selected: boolean;
	/** The selection marker glyph (shown on the selected row). */
	readonly marker: string;
	readonly color: boolean;
};

/**
One line of the site table. Memoised on its formatted cells (strings), so a frame re-renders only
the rows whose text changed.
*/
export const SiteRow = memo(({cells, selected, marker, color}: SiteRowProps) => {
	const prefix = selected ? `${marker} ` : '  ';
	// `truncate` guards the line width if a character is wider than `textWidth` thinks; the line
	// then loses its end rather than wrapping and pushing the frame past the terminal's height.
	return (
		<Text wrap='truncate-end' inverse={color && selected}>
			{prefix}
			{color ? <Text color={statusColor[cells.status]}>{cells.statusCell}</Text> : cells.statusCell}
			{cells.rest}
		</Text>
	);
}, (previous, next) => previous.selected === next.selected
	&& previous.marker === next.marker
	&& previous.color === next.color
	&& previous.cells.statusCell === next.cells.statusCell
	&& previous.cells.status === next.cells.status
	&& previous.cells.rest === next.cells.rest);
