import test from 'ava';
import {renderApp, restoreTerminal} from '../../source/ui/render-app.js';
import {
	appProps, recorder, siteSpecs, startEngine, waitFor,
} from './harness.js';
import {FakeTerminalInput, FakeTerminalOutput} from './fake-terminal.js';

const enterAlternateScreen = '\u001B[?1049h';
const leaveAlternateScreen = '\u001B[?1049l';
const showCursor = '\u001B[?25h';
const hideCursor = '\u001B[?25l';

// Serial: a crash unmounts every UI in the process, which is what a crash should do, but not to
// the other tests' UIs.
async function start(t: import('ava').ExecutionContext) {
	const {clock, engine} = startEngine(siteSpecs(50, 10), () => ({latencyMs: 30}));
	await clock.advance(11_000);
	const stdout = new FakeTerminalOutput(80, 24);
	const stdin = new FakeTerminalInput();
	const calls = recorder();
	const handle = renderApp(
		appProps(engine, clock, calls, {refreshMs: 100}),
		{stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, stderr: new FakeTerminalOutput(80, 24) as unknown as NodeJS.WriteStream},
	);
	t.teardown(() => {
		handle.unmount();
	});
	await waitFor(() => stdout.text.includes('sites 50'));
	return {clock, engine, stdout, stdin, calls, handle};
}

test.serial('renders on the alternate screen with the cursor hidden, and restores both on unmount', async t => {
	const {stdout, stdin, handle} = await start(t);
	t.true(stdout.text.startsWith(enterAlternateScreen));
	t.true(stdout.text.includes(hideCursor));
	t.deepEqual(stdin.rawModeChanges, [true]);
	const exited = handle.waitUntilExit();
	handle.unmount();
	await exited;
	const tail = stdout.text.slice(stdout.text.lastIndexOf(leaveAlternateScreen));
	t.true(tail.startsWith(leaveAlternateScreen), 'left the alternate screen');
	t.true(stdout.text.lastIndexOf(showCursor) > stdout.text.lastIndexOf(hideCursor), 'cursor shown last');
	t.false(stdin.isRaw, 'raw mode off');
	t.notThrows(() => {
		handle.unmount();
	}, 'unmount is idempotent');
});

test.serial('keys reach the App through the real stdin path: q calls onQuit, Ctrl-C twice forces', async t => {
	const {stdin, stdout, calls} = await start(t);
	stdin.press('q');
	await waitFor(() => calls.quit === 1);
	await waitFor(() => stdout.text.includes('quitting'));
	stdin.press('\u0003');
	await waitFor(() => calls.forceQuit === 1);
	t.is(calls.quit, 1, 'the second key forced; it did not quit again');
});

test.serial('a crash restores the terminal before Node prints the error', async t => {
	const {stdout, stdin} = await start(t);
	// What Node does first on an uncaught exception, before printing it and exiting.
	(process as NodeJS.EventEmitter).emit('uncaughtExceptionMonitor', new Error('boom'), 'uncaughtException');
	await waitFor(() => stdout.text.includes(leaveAlternateScreen));
	t.true(stdout.text.lastIndexOf(showCursor) > stdout.text.lastIndexOf(hideCursor));
	t.false(stdin.isRaw);
});

test.serial('restoreTerminal unmounts a UI still on the stream and is safe to repeat', async t => {
	const {stdout} = await start(t);
	restoreTerminal(stdout as unknown as NodeJS.WriteStream);
	t.true(stdout.text.includes(leaveAlternateScreen));
	const {length} = stdout.text;
	restoreTerminal(stdout as unknown as NodeJS.WriteStream);
	t.is(stdout.text.slice(length), showCursor, 'the second call only shows the cursor again');
	restoreTerminal(new FakeTerminalOutput(80, 24) as unknown as NodeJS.WriteStream);
});

test.serial('the live region stays within the terminal and follows a resize', async t => {
	const {stdout, clock} = await start(t);
	stdout.resize(120, 40);
	await clock.advance(1000);
	await waitFor(() => stdout.text.includes('RECENT      '));
	const before = stdout.bytes;
	await clock.advance(1000);
	// A second later the frame changed, and only that was written (the clears are counted below).
	await waitFor(() => stdout.bytes > before);
	// Ink's erase-everything path (cursor home, erase down) is what an overflowing frame costs.
	const fullClears = stdout.text.split('\u001B[H\u001B[J').length - 1;
	t.true(fullClears <= 2, `${fullClears} full clears`);
});

test.serial('a stdin that is not a terminal: the UI shows and reads no keys', async t => {
	const {clock, engine} = startEngine(siteSpecs(5, 10), () => ({latencyMs: 30}));
	await clock.advance(11_000);
	const stdout = new FakeTerminalOutput(80, 24);
	const stdin = Object.assign(new FakeTerminalInput(), {isTTY: false});
	const handle = renderApp(appProps(engine, clock, recorder()), {stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream});
	t.teardown(() => {
		handle.unmount();
	});
	await waitFor(() => stdout.text.includes('sites 5'));
	t.deepEqual(stdin.rawModeChanges, []);
});
