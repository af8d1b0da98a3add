import {constants} from 'node:os';

/** The signals that stop a run: the first drains, a second one forces. */
export const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export type StopSignal = typeof stopSignals[number];

/** Why a run stops. Every cause but a second signal drains: checks in flight finish and are stored. */
export type StopCause =
	/** `--number-healthchecks` reached. */
	| {readonly kind: 'done'}
	/** `q` (or a first Ctrl-C) in the UI. */
	| {readonly kind: 'quit'}
	/** SIGHUP is a dropped SSH session or a closed terminal: the checks it would cut off are drained too. */
	| {readonly kind: 'signal'; readonly signal: StopSignal}
	/**
	Nobody can read the output any more: stdout failed (`EPIPE` from `| head -3`), or the terminal under
	the UI went away (`EIO`, end of input). `code` is the error's code.
	*/
	| {readonly kind: 'output-lost'; readonly stream: 'stdout' | 'terminal'; readonly code: string};

/** What forced a stop: a signal while stopping, or Ctrl-C again in the UI (SIGINT's key). */
export type ForceCause = {
	readonly signal: StopSignal;
	/** For the user: `SIGTERM again`, `Ctrl-C again`. */
	readonly label: string;
};

/**
Owns how a run ends: whether it is stopping, whether a stop was forced and by what. Every way to stop
reports here; nothing else decides.
*/
export type ShutdownController = {
	/** Resolves with the first request to stop. */
	readonly stopRequested: Promise<StopCause>;
	/** Resolves with what forced the stop, if anything ever does. */
	readonly forceRequested: Promise<ForceCause>;
	readonly stopping: boolean;
	readonly forced: ForceCause | undefined;
	/** Asks to stop. The first request drains; while stopping, a signal that insists forces (see `insists`). */
	request(cause: StopCause): void;
	/** Forces the stop (Ctrl-C again in the UI). */
	force(cause: ForceCause): void;
	/** The run ended; later requests change nothing. */
	finish(): void;
};

/** Creates a controller for one run. */
export function createShutdownController(): ShutdownController {
	let stopping: StopCause | undefined;
	let finished = false;
	let forced: ForceCause | undefined;
	let resolveStop: (cause: StopCause) => void = () => undefined;
	let resolveForce: (cause: ForceCause) => void = () => undefined;
	const stopRequested = new Promise<StopCause>(resolve => {
		resolveStop = resolve;
	});
	const forceRequested = new Promise<ForceCause>(resolve => {
		resolveForce = resolve;
	});

	const controller: ShutdownController = {
		stopRequested,
		forceRequested,
		get stopping() {
			return stopping !== undefined;
		},
		get forced() {
			return forced;
		},
		request(cause) {
			if (finished) {
				return;
			}

			if (!stopping) {
				stopping = cause;
				resolveStop(cause);
			} else if (insists(cause, stopping)) {
				const again = stopping.kind === 'signal' && stopping.signal === cause.signal;
				controller.force({signal: cause.signal, label: `${cause.signal} ${again ? 'again' : 'while stopping'}`});
			}
		},
		force(cause) {
			if (finished || forced) {
				return;
			}

			forced = cause;
			stopping ??= {kind: 'signal', signal: cause.signal};
			resolveStop(stopping);
			resolveForce(cause);
		},
		finish() {
			finished = true;
		},
	};
	return controller;
}

/**
Whether `cause`, arriving while a stop for `stopping` is under way, insists on ending at once. Only a
signal does: a second `q` is more likely impatience than a decision to lose results, and a terminal
that goes away reports itself several ways (end of input, failed writes, SIGHUP). So SIGHUP insists
only when it repeats a SIGHUP; after any other request it is that terminal going away.
*/
function insists(cause: StopCause, stopping: StopCause): cause is Extract<StopCause, {kind: 'signal'}> {
	if (cause.kind !== 'signal') {
		return false;
	}

	return cause.signal !== 'SIGHUP' || (stopping.kind === 'signal' && stopping.signal === 'SIGHUP');
}

/** 128 + the signal's number, as a shell reports a process that signal ended: 129 SIGHUP, 130 SIGINT, 143 SIGTERM. */
export function forcedExitCode(cause: ForceCause): number {
	return 128 + constants.signals[cause.signal];
}

/** The cause as the first words of a line: `SIGHUP`, `quit`, `stdout closed (EPIPE)`, `terminal gone (EIO)`. */
export function describeStop(cause: StopCause): string {
	switch (cause.kind) {
		case 'signal': {
			return cause.signal;
		}

		case 'output-lost': {
			return `${cause.stream === 'stdout' ? 'stdout closed' : 'terminal gone'} (${cause.code})`;
		}

		default: {
			return cause.kind;
		}
	}
}
