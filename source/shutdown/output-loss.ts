/** Whether a stream's writes have failed; `dispose` stops watching. */
export type OutputWatch = {
	readonly lost: boolean;
	dispose(): void;
};

/**
Calls `onLost` once, with the error's code, the first time `stream` fails: `EPIPE` (the reader went
away: `webmon-tui | head -3`), `EIO` (the terminal went away), or anything else. Node never destroys
stdout or stderr after an error and keeps accepting writes (each fails again), so `lost` is what
tells a writer to stop.
*/
export function watchOutput(stream: NodeJS.EventEmitter, onLost: (code: string) => void): OutputWatch {
	let lost = false;
	const onError = (error: NodeJS.ErrnoException) => {
		if (!lost) {
			lost = true;
			onLost(error.code ?? 'ERROR');
		}
	};

	stream.on('error', onError);
	return {
		get lost() {
			return lost;
		},
		dispose() {
			stream.off('error', onError);
		},
	};
}
