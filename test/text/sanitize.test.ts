import test from 'ava';
import {sanitizeForTerminal} from '../../source/text/sanitize.js';

const hostile = [
	['\u001B[2J\u001B[Hcleared', 'cleared'],
	['title\u001B]0;pwned\u0007 after', 'title after'],
	['link \u001B]8;;http://evil\u001B\\text\u001B]8;;\u001B\\', 'link text'],
	['bell\u0007 and nul\u0000', 'bell\uFFFD and nul\uFFFD'],
	['c1 csi \u009B31mred', 'c1 csi red'],
	['bidi \u202Egnp.exe\u202C', 'bidi \uFFFDgnp.exe\uFFFD'],
	['isolate \u2066x\u2069', 'isolate \uFFFDx\uFFFD'],
	['multi\nline\r\n\ttext', 'multi line text'],
	['dcs \u001BPq#0;2;0;0;0\u001B\\end', 'dcs end'],
	['plain café ✓', 'plain café ✓'],
] as const;

for (const [input, expected] of hostile) {
	test(`sanitises ${JSON.stringify(input)}`, t => {
		const output = sanitizeForTerminal(input);
		t.is(output, expected);
		t.notRegex(output, /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
	});
}

test('truncates with an ellipsis', t => {
	t.is(sanitizeForTerminal('abcdefghij', 5), 'abcd…');
});
