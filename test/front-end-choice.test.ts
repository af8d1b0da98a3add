import test from 'ava';
import {chooseFrontEnd} from '../source/front-end-choice.js';

const terminal = {tui: true, stdoutIsTty: true};

test('the UI needs a terminal on stdout, no CI and no --no-tui; headless by request says nothing', t => {
	t.deepEqual(chooseFrontEnd({...terminal, env: {TERM: 'xterm-256color'}}), {interactive: true});
	t.deepEqual(chooseFrontEnd({...terminal, tui: false, env: {TERM: 'xterm-256color'}}), {interactive: false});
	t.deepEqual(chooseFrontEnd({...terminal, stdoutIsTty: false, env: {TERM: 'xterm-256color'}}), {interactive: false});
	t.deepEqual(chooseFrontEnd({...terminal, env: {TERM: 'xterm-256color', CI: 'true'}}), {interactive: false});
	t.deepEqual(chooseFrontEnd({...terminal, env: {TERM: 'xterm-256color', CI: ''}}), {interactive: true}, 'an empty CI is unset');
});

test('TERM=dumb on a terminal runs headless and says why in one line; an unset TERM keeps the UI', t => {
	const dumb = chooseFrontEnd({...terminal, env: {TERM: 'dumb', LANG: 'en_US.UTF-8'}});
	t.false(dumb.interactive);
	t.regex(dumb.notice ?? '', /^TERM=dumb cannot draw the full-screen UI; running headless \(one line per check\)\. Set TERM \(e\.g\. xterm-256color\) for the UI/);
	t.false(dumb.notice!.includes('\n'));
	t.deepEqual(chooseFrontEnd({...terminal, env: {}}), {interactive: true}, 'Windows consoles and kubectl exec -it leave TERM unset');
	t.deepEqual(chooseFrontEnd({...terminal, tui: false, env: {TERM: 'dumb'}}), {interactive: false}, '--no-tui: headless was asked for, nothing to say');
	t.deepEqual(chooseFrontEnd({tui: true, stdoutIsTty: false, env: {TERM: 'dumb'}}), {interactive: false}, 'a pipe: headless anyway');
});
