import {useEffect, useState} from 'react';

/**
While `quitting`, returns `progress()`'s text, re-read at every render and at least four times a
second (the drain has no events of its own to listen to).
*/
export function useShutdownProgress(quitting: boolean, progress: (() => string | undefined) | undefined): string | undefined {
	const [, setTick] = useState(0);
	useEffect(() => {
		if (!quitting || !progress) {
			return;
		}

		const timer = setInterval(() => {
			setTick(tick => tick + 1);
		}, 250);
		// The UI must never be what keeps a finished process alive.
		timer.unref();
		return () => {
			clearInterval(timer);
		};
	}, [quitting, progress]);
	return quitting ? progress?.() : undefined;
}
