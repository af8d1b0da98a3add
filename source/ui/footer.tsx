import {Box, Text} from 'ink';
import {fitText} from './text-width.js';

/** Props of `Footer`. */
export type FooterProps = {
	/** The status line: messages, the filter being typed, shutdown progress. Already sanitised. */
	readonly status: string;
	readonly width: number;
	readonly ellipsis: string;
	readonly color: boolean;
	/** Highlights the status line (an error or the drain in progress). */
	readonly alert: boolean;
};

/** Key hints in display order, with a priority: a narrow terminal drops the highest numbers first. */
const hints: ReadonlyArray<readonly [string, number]> = [
	['j/k move', 8],
	['/ filter', 2],
	['s/S sort', 3],
	['space pause', 4],
	['P pause shown', 7],
	['r check', 6],
	['enter detail', 5],
	['? help', 0],
	['q quit', 1],
];

/** The hints that fit in `width` columns, two spaces apart. */
export function keyHints(width: number): string {
	let shown = [...hints];
	const text = () => shown.map(([hint]) => hint).join('  ');
	while (shown.length > 1 && text().length > width) {
		const drop = Math.max(...shown.map(([, priority]) => priority));
		shown = shown.filter(([, priority]) => priority !== drop);
	}

	return text();
}

/** Two lines: the status line, then the key hints. */
export function Footer(props: FooterProps) {
	return (
		<Box flexDirection='column'>
			<Text wrap='truncate-end' color={props.color && props.alert ? 'yellow' : undefined}>
				{fitText(props.status, props.width, props.ellipsis, false) || ' '}
			</Text>
			<Text wrap='truncate-end' dimColor={props.color}>{fitText(keyHints(props.width), props.width, props.ellipsis, false)}</Text>
		</Box>
	);
}
