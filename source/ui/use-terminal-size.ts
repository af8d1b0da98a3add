import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

/** Terminal size in character cells. */
export type TerminalSize = {
	readonly columns: number;
	readonly rows: number;
};

function read(stdout: NodeJS.WritableStream & {columns?: number; rows?: number}): TerminalSize {
	// 80x24 when the stream does not say: the smallest terminal the UI promises to fit.
	return {
		columns: stdout.columns && stdout.columns > 0 ? stdout.columns : 80,
		rows: stdout.rows && stdout.rows > 0 ? stdout.rows : 24,
	};
}

/**
The size of Ink's stdout, updated on `resize`. Unlike Ink's `useWindowSize`, a stream without a
size reads as 80x24 rather than the size of whatever terminal the process happens to have, so
tests over fake streams are deterministic.
*/
export function useTerminalSize(): TerminalSize {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => read(stdout));
	useEffect(() => {
		const onResize = () => {
			setSize(previous => {
				const next = read(stdout);
				return next.columns === previous.columns && next.rows === previous.rows ? previous : next;
			});
		};

		stdout.on('resize', onResize);
		onResize();
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return size;
}
