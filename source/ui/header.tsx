import {Box, Text} from 'ink';
import {flowSegments, headerSegments, type HeaderInput} from './header-lines.js';

/** Props of `Header`. */
export type HeaderProps = HeaderInput & {
	readonly width: number;
	/** Exactly this many lines are drawn, so the table below does not jump as numbers grow. */
	readonly height: number;
	readonly ellipsis: string;
};

/** The fleet's numbers, flowed into a fixed number of lines. */
export function Header(props: HeaderProps) {
	const lines = flowSegments(headerSegments(props), props.width, props.height, props.ellipsis);
	while (lines.length < props.height) {
		lines.push(' ');
	}

	return (
		<Box flexDirection='column'>
			{lines.map((line, index) => (
				// Keyed by position: lines are places on the screen, not items that move.
				<Text key={index} wrap='truncate-end'>{line}</Text>
			))}
		</Box>
	);
}
