import {readFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {binPath} from './helpers/run-cli.js';
import {startTmux, waitForFile} from './helpers/tmux.js';
import {setUpLoopbackRun} from './durability/loopback-sites.js';

/**
The built CLI in a real pseudo-terminal (tmux) that says TERM=dumb: the UI would be chosen (stdout is
a terminal, no CI, no --no-tui), but such a terminal cannot draw it. What the terminal gets is
decided by the entry point, not the database, so PGlite alone is enough here.
*/
test('TERM=dumb on a terminal: headless lines, one notice on stderr, no alternate screen, exit 0', async t => {
	const {directory, sites, flags} = await setUpLoopbackRun(t, 'pglite');
	const csv = await sites.csv(directory, 'sites.csv', ['/site/alpha', '/site/bravo'], 1);
	const stderr = path.join(directory, 'stderr.log');
	const raw = path.join(directory, 'raw.log');
	const exitFile = path.join(directory, 'exit-code');
	const words = [process.execPath, binPath, '--sites-csv', csv, ...flags, '--number-healthchecks', '2', '--workers', '0'];
	const command = `TERM=dumb ${words.map(word => JSON.stringify(word)).join(' ')} 2>${JSON.stringify(stderr)}`;
	const tmux = await startTmux(t, `${command}; echo $? > ${JSON.stringify(exitFile)}; sleep 30`, {raw});

	t.is((await waitForFile(exitFile, /\d/, 60_000)).trim(), '0', 'the run finished on its own');
	const screen = await tmux.waitForScreen(/\/site\/bravo/);
	t.is(screen.match(/^\S+Z UP {3}200 .*\/site\/(?:alpha|bravo)$/gm)?.length, 4, `one headless line per check:\n${screen}`);
	const bytes = await readFile(raw, 'utf8');
	t.false(bytes.includes('\u001B[?1049h'), 'no alternate screen');
	t.false(bytes.includes('\u001B'), 'no escape sequence at all: a dumb terminal would print them');
	const said = await readFile(stderr, 'utf8');
	const notices = said.split('\n').filter(line => line.includes('TERM=dumb'));
	t.deepEqual(notices, ['webmon-tui: TERM=dumb cannot draw the full-screen UI; running headless (one line per check). Set TERM (e.g. xterm-256color) for the UI, or pass --no-tui to skip this line.']);
});
