import type {ExecutionContext} from 'ava';

/**
Ends a test this machine cannot run (a mount it may not make, a binary it lacks), saying why in
ava's output. It counts as passed: the reason is printed beside it, never skipped in silence. Only for
conditions found while the test runs; a condition known when tests are registered uses `test.skip`.
*/
export function notRun(t: ExecutionContext, why: string): void {
	t.log(`not run: ${why}`);
	t.pass();
}
