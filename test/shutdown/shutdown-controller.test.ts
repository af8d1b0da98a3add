import test from 'ava';
import {createShutdownController, forcedExitCode, type StopCause} from '../../source/shutdown/shutdown-controller.js';

const signal = (name: 'SIGINT' | 'SIGTERM' | 'SIGHUP'): StopCause => ({kind: 'signal', signal: name});
const terminalGone: StopCause = {kind: 'output-lost', stream: 'terminal', code: 'EIO'};

/** Feeds `causes` to a fresh controller; resolves with what it decided. */
async function decide(...causes: StopCause[]) {
	const shutdown = createShutdownController();
	for (const cause of causes) {
		shutdown.request(cause);
	}

	const {forced} = shutdown;
	return {first: await shutdown.stopRequested, label: forced?.label, code: forced && forcedExitCode(forced)};
}

test('the first request drains, whatever it is', async t => {
	const causes: StopCause[] = [signal('SIGINT'), signal('SIGTERM'), signal('SIGHUP'), {kind: 'quit'}, {kind: 'done'}, {kind: 'output-lost', stream: 'stdout', code: 'EPIPE'}, terminalGone];
	const decisions = await Promise.all(causes.map(async cause => decide(cause)));
	t.deepEqual(decisions, causes.map(cause => ({first: cause, label: undefined, code: undefined})));
});

test('a second signal forces, and the exit code is the forcing signal\'s', async t => {
	t.like(await decide(signal('SIGINT'), signal('SIGINT')), {label: 'SIGINT again', code: 130});
	t.like(await decide(signal('SIGTERM'), signal('SIGTERM')), {label: 'SIGTERM again', code: 143});
	t.like(await decide(signal('SIGHUP'), signal('SIGHUP')), {label: 'SIGHUP again', code: 129});
	t.like(await decide(signal('SIGTERM'), signal('SIGINT')), {label: 'SIGINT while stopping', code: 130});
	t.like(await decide({kind: 'quit'}, signal('SIGTERM')), {label: 'SIGTERM while stopping', code: 143});
	t.like(await decide(terminalGone, signal('SIGINT')), {first: terminalGone, code: 130});
});

test('what is not someone insisting does not force: a second q, the terminal reported gone again, a hangup after another request', async t => {
	t.like(await decide({kind: 'quit'}, {kind: 'quit'}), {code: undefined});
	t.like(await decide(signal('SIGINT'), {kind: 'quit'}), {code: undefined});
	t.like(await decide(signal('SIGHUP'), terminalGone), {code: undefined});
	// A terminal going away reads as end of input, then SIGHUP: one event, not two requests.
	t.like(await decide(terminalGone, signal('SIGHUP')), {first: terminalGone, code: undefined});
	t.like(await decide(signal('SIGTERM'), signal('SIGHUP')), {code: undefined});
});

test('Ctrl-C again in the UI forces as SIGINT; once the run finished nothing changes', async t => {
	const shutdown = createShutdownController();
	shutdown.request({kind: 'quit'});
	shutdown.force({signal: 'SIGINT', label: 'Ctrl-C again'});
	t.is(forcedExitCode(await shutdown.forceRequested), 130);
	shutdown.request(signal('SIGTERM'));
	t.is(shutdown.forced?.label, 'Ctrl-C again', 'the first force stands');

	const finished = createShutdownController();
	finished.request({kind: 'done'});
	finished.finish();
	finished.request(signal('SIGINT'));
	finished.force({signal: 'SIGINT', label: 'Ctrl-C again'});
	t.is(finished.forced, undefined);
});
