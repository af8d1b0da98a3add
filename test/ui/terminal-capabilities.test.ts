import test from 'ava';
import {terminalCapabilities} from '../../source/ui/terminal-capabilities.js';

test('Unicode only when the effective locale names UTF-8', t => {
	t.is(terminalCapabilities({LANG: 'en_US.UTF-8'}).charset, 'unicode');
	t.is(terminalCapabilities({LANG: 'C.utf8'}).charset, 'unicode');
	t.is(terminalCapabilities({}).charset, 'ascii', 'no locale is the C locale');
	t.is(terminalCapabilities({LANG: 'C'}).charset, 'ascii');
	t.is(terminalCapabilities({LANG: 'en_US.UTF-8', LC_ALL: 'C'}).charset, 'ascii', 'LC_ALL overrides LANG');
	t.is(terminalCapabilities({LANG: 'C', LC_CTYPE: 'en_US.UTF-8'}).charset, 'unicode', 'LC_CTYPE overrides LANG');
	t.is(terminalCapabilities({LC_ALL: '', LANG: 'de_DE.UTF-8'}).charset, 'unicode', 'an empty LC_ALL is unset');
	t.is(terminalCapabilities({}, 'win32').charset, 'unicode');
});

test('TERM=dumb means ASCII and no colour; NO_COLOR and FORCE_COLOR=0 turn colour off', t => {
	t.deepEqual(terminalCapabilities({LANG: 'en_US.UTF-8', TERM: 'dumb'}), {charset: 'ascii', color: false});
	t.true(terminalCapabilities({LANG: 'en_US.UTF-8', TERM: 'xterm-256color'}).color);
	t.false(terminalCapabilities({NO_COLOR: '1'}).color);
	t.true(terminalCapabilities({NO_COLOR: ''}).color, 'an empty NO_COLOR does not count (no-color.org)');
	t.false(terminalCapabilities({FORCE_COLOR: '0'}).color);
});
