import {stopSignals, type ShutdownController, type StopSignal} from './shutdown-controller.js';

/**
Sends SIGINT, SIGTERM and SIGHUP to `shutdown`; returns the unsubscribe. Listening also takes these
signals' default action away (dying at once), SIGHUP's included: a dropped SSH session must not cut
off checks the sites have already answered. Ink's exit hook (signal-exit) stands aside as well once
another listener exists.
*/
export function listenForStopSignals(signals: NodeJS.EventEmitter, shutdown: ShutdownController): () => void {
	const listeners = stopSignals.map(signal => {
		const listener = () => {
			shutdown.request({kind: 'signal', signal});
		};

		signals.on(signal, listener);
		return [signal, listener] as [StopSignal, () => void];
	});
	return () => {
		for (const [signal, listener] of listeners) {
			signals.off(signal, listener);
		}
	};
}
