import test from 'ava';
import {fitUrl} from '../../source/ui/fit-url.js';
import {displayText, textWidth} from '../../source/ui/text-width.js';

const orders = 'https://api.example.com/v1/customers/1234/orders/42';

test('fitUrl keeps the whole origin when it fits beside half the room, and gives the path\'s tail the rest', t => {
	t.is(fitUrl(orders, 60, '…'), orders, 'a URL that fits is left alone');
	t.is(fitUrl(orders, 50, '…'), 'https://api.example.com…1/customers/1234/orders/42');
	t.is(fitUrl('https://api.example.com/v1/orders/42', 30, '…'), 'https://api.exam…/v1/orders/42', 'a path shorter than half the room is kept whole');
});

test('fitUrl cuts a long origin at its end, so the tail keeps half the room (the URL column at 80 columns is 28 wide)', t => {
	t.is(fitUrl(orders, 28, '…'), 'https://api.e…1234/orders/42');
	t.is(fitUrl(orders.replace('/42', '/43'), 28, '…'), 'https://api.e…1234/orders/43', 'paths of one host stay apart');
	t.is(fitUrl('https://very-long-host-name-1.example.invalid:8443/', 28, '…'), 'https://very-long-host-nam…/', 'a short path is kept whole');
	t.is(fitUrl('no origin, just some text', 15, '…'), 'no orig…me text', 'without an origin: half and half');
});

test('fitUrl never cuts through a wide character, uses the ASCII ellipsis it is given, and keeps sanitised text sanitised', t => {
	const wide = 'https://例え.日本/パス/長い/道/です/42';
	t.is(fitUrl(wide, 20, '…'), 'https://…/道/です/42', 'the column 例 cannot use goes to the tail');
	for (let width = 1; width <= 40; width++) {
		t.true(textWidth(fitUrl(wide, width, '…')) <= width, `at most ${width} columns`);
	}

	const ascii = fitUrl(displayText(wide, 'ascii'), 20, '~');
	t.is(ascii, 'https://?~??/?/??/42', 'the ? of an international host are part of the origin');
	t.regex(ascii, /^[\u0020-\u007E]*$/);
	const hostile = displayText('https://evil.example/\u001B[2J\u202Egnp.exe/\u009B31m/tail', 'unicode');
	t.notRegex(fitUrl(hostile, 24, '…'), /[\u0000-\u001F\u007F-\u009F\u202A-\u202E]/);
	t.regex(fitUrl(hostile, 24, '…'), /^https:\/\/evi….*\/tail$/);
});
