import {Box, Text} from 'ink';
import type {SiteView} from '../engine/site-state.js';
import type {Glyphs} from './glyphs.js';
import {siteAt, type SiteOrder} from './site-order.js';
import {SiteRow} from './site-row.js';
import {headingLine, rowCells, type TableColumns} from './table-layout.js';
import type {Charset, SortKey} from './types.js';

/** Props of `SiteTable`. */
export type SiteTableProps = {
	readonly sites: readonly SiteView[];
	readonly order: SiteOrder;
	/** First position of `order` on screen. */
	readonly top: number;
	/** Rows for sites (the heading line is extra). */
	readonly height: number;
	readonly selectedPosition: number;
	readonly columns: TableColumns;
	readonly sort: SortKey;
	readonly reversed: boolean;
	readonly now: number;
	readonly slowMs: number;
	readonly glyphs: Glyphs;
	readonly charset: Charset;
	readonly color: boolean;
};

/**
The virtualised site table: a heading and exactly `height` lines, whatever the number of sites.
Only the rows on screen are formatted and rendered, so 100,000 sites cost what a screenful costs,
and the fixed height keeps Ink's frame the same size (no full-screen clears).
*/
export function SiteTable(props: SiteTableProps) {
	const {columns, glyphs} = props;
	const context = {now: props.now, slowMs: props.slowMs, glyphs, charset: props.charset};
	const lines = [];
	for (let row = 0; row < props.height; row++) {
		const position = props.top + row;
		const view = siteAt(props.sites, props.order, position);
		lines.push(view
			? (
				<SiteRow
					key={row}
					cells={rowCells(view, columns, context)}
					selected={position === props.selectedPosition}
					marker={glyphs.selected}
					color={props.color}
				/>
			)
			: <Text key={row}> </Text>);
	}

	return (
		<Box flexDirection='column'>
			<Text wrap='truncate-end' bold={props.color}>{headingLine(columns, props.sort, props.reversed, glyphs)}</Text>
			{lines}
		</Box>
	);
}
