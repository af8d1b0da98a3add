import process from 'node:process';
import {watchOutput, type OutputWatch} from './output-loss.js';

let guards: {stdout: OutputWatch; stderr: OutputWatch} | undefined;

/**
Makes a failing stdout or stderr harmless for the rest of the process: a write error is an `error`
event, and one nobody listens to crashes the process, losing every result not stored yet. The front
ends watch the streams themselves to stop the run (the UI watches stdin too, the only time anything
reads it); this guard outlives them, for the last lines and the exit. Slonik's logger (Roarr)
listens on stdout too, swallowing `EPIPE` and rethrowing anything else, so a terminal that went
away (`EIO`) would still crash the run; its documented `teardown` removes that listener (it only
writes when `ROARR_LOG=true`, and then this guard covers it). Idempotent.
*/
export function guardProcessOutput(): void {
	if (guards) {
		return;
	}

	(globalThis as {ROARR?: {teardown?: () => void}}).ROARR?.teardown?.();
	const ignore = () => undefined;
	guards = {stdout: watchOutput(process.stdout, ignore), stderr: watchOutput(process.stderr, ignore)};
}

/**
Exits with `code` once stdout has taken what was written to it, so idle keep-alive sockets or a
database handle cannot keep a finished run alive; at once when stdout failed, which is then never
written to again.
*/
export function exitAfterOutput(code: number): void {
	if (guards?.stdout.lost) {
		process.exit(code);
	}

	process.stdout.write('', () => process.exit(code));
}
