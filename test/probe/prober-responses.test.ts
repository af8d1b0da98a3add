import {brotliCompressSync, deflateSync, gzipSync} from 'node:zlib';
import test from 'ava';
import {failureStatus, regexMatchStatus} from '../../source/engine/types.js';
import {createProber} from '../../source/probe/index.js';
import {assertWellFormed, httpServer} from './loopback.js';

const page = '<html><body>Lorem ipsum dolor sit amet</body></html>';

test('200 with a matching regex, a missing one, and none', async t => {
	const server = await httpServer((_request, response) => {
		response.end(page);
	});
	const prober = createProber();
	try {
		const matched = await prober.probe({url: server.url(), regex: String.raw`ipsum\s+dolor`});
		assertWellFormed(t, matched);
		t.like(matched, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined, finalUrl: undefined});
		t.true(matched.responseTimeMs > 0);

		const missed = await prober.probe({url: server.url(), regex: 'consectetur'});
		t.like(missed, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.fail, errorKind: undefined});

		const unchecked = await prober.probe({url: server.url()});
		t.like(unchecked, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.notChecked, errorKind: undefined});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('error statuses pass through and their bodies are still matched', async t => {
	const server = await httpServer((request, response) => {
		response.statusCode = request.url === '/missing' ? 404 : 500;
		response.end(request.url === '/missing' ? 'not here' : 'internal failure');
	});
	const prober = createProber();
	try {
		const missing = await prober.probe({url: server.url('/missing'), regex: 'here'});
		assertWellFormed(t, missing);
		t.like(missing, {httpStatusCode: 404, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});

		const broken = await prober.probe({url: server.url('/broken'), regex: 'here'});
		t.like(broken, {httpStatusCode: 500, regexMatchStatus: regexMatchStatus.fail, errorKind: undefined});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('sends a User-Agent and asks for gzip, deflate and br', async t => {
	let seen: Record<string, string | string[] | undefined> = {};
	const server = await httpServer((request, response) => {
		seen = request.headers;
		response.end('ok');
	});
	const prober = createProber();
	try {
		await prober.probe({url: server.url('/path?query=1')});
		t.regex(String(seen['user-agent']), /^webmon-tui\/\d+\.\d+\.\d+ \(\+health check\)$/);
		t.is(seen['accept-encoding'], 'gzip, deflate, br');
	} finally {
		await prober.close();
		await server.close();
	}
});

const encoders = {gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync} as const;

for (const [encoding, encode] of Object.entries(encoders)) {
	test(`decodes a ${encoding} body before matching`, async t => {
		const server = await httpServer((request, response) => {
			response.setHeader('content-encoding', encoding);
			response.statusCode = request.url === '/error' ? 503 : 200;
			response.end(encode(Buffer.from(page)));
		});
		const prober = createProber();
		try {
			const outcome = await prober.probe({url: server.url(), regex: 'Lorem ipsum dolor'});
			assertWellFormed(t, outcome);
			t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});

			const error = await prober.probe({url: server.url('/error'), regex: 'Lorem ipsum dolor'});
			t.like(error, {httpStatusCode: 503, regexMatchStatus: regexMatchStatus.ok});
		} finally {
			await prober.close();
			await server.close();
		}
	});
}

test('a body that is not what its content-encoding says is a bad response', async t => {
	const server = await httpServer((_request, response) => {
		response.setHeader('content-encoding', 'gzip');
		response.end('this is not gzip at all');
	});
	const prober = createProber();
	try {
		const outcome = await prober.probe({url: server.url(), regex: 'gzip'});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: failureStatus.other, errorKind: 'bad_response', regexMatchStatus: regexMatchStatus.notChecked});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a body over the cap keeps its status, matches on the first bytes, and reports body_too_large', async t => {
	const head = 'needle-at-start ';
	const server = await httpServer((_request, response) => {
		response.write(head);
		response.write('x'.repeat(5000));
		response.end(' needle-at-end');
	});
	const prober = createProber({maxBodyBytes: 1000});
	try {
		const early = await prober.probe({url: server.url(), regex: 'needle-at-start'});
		assertWellFormed(t, early);
		t.like(early, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: 'body_too_large'});
		t.true(early.errorMessage?.includes('first 1000 bytes'));

		const late = await prober.probe({url: server.url(), regex: 'needle-at-end'});
		t.like(late, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.fail, errorKind: 'body_too_large'});

		const unchecked = await prober.probe({url: server.url()});
		t.like(unchecked, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.notChecked, errorKind: 'body_too_large'});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a body of exactly the cap is read whole', async t => {
	const server = await httpServer((_request, response) => {
		response.end(`${'y'.repeat(990)}0123456789`);
	});
	const prober = createProber({maxBodyBytes: 1000});
	try {
		const outcome = await prober.probe({url: server.url(), regex: '9$'});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a decompression bomb stops at the cap', async t => {
	// 64 MiB of zeros compress to about 64 KiB; inflating all of it is what the cap prevents.
	const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
	const server = await httpServer((_request, response) => {
		response.setHeader('content-encoding', 'gzip');
		response.end(bomb);
	});
	const prober = createProber({maxBodyBytes: 64 * 1024});
	try {
		const outcome = await prober.probe({url: server.url(), regex: 'x'});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.fail, errorKind: 'body_too_large'});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a body in another encoding than UTF-8 is decoded lossily and still matched', async t => {
	const server = await httpServer((_request, response) => {
		response.end(Buffer.concat([Buffer.from('caf'), Buffer.from([0xE9, 0xFF, 0x00]), Buffer.from(' menu')]));
	});
	const prober = createProber();
	try {
		const outcome = await prober.probe({url: server.url(), regex: 'caf.+menu'});
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('checks of one origin reuse a kept-alive connection', async t => {
	const server = await httpServer((_request, response) => {
		response.end('ok');
	});
	const prober = createProber();
	try {
		for (let index = 0; index < 10; index++) {
			t.is((await prober.probe({url: server.url()})).httpStatusCode, 200);
		}

		// Undici may open a second connection while the first is still finishing its response.
		t.true(server.connections() <= 2, `${server.connections()} connections for 10 checks`);
	} finally {
		await prober.close();
		await server.close();
	}
});

test('host names resolve through the cached lookup (localhost)', async t => {
	const server = await httpServer((request, response) => {
		response.end(request.headers.host);
	});
	const prober = createProber();
	try {
		const outcome = await prober.probe({url: `http://localhost:${server.port}/`, regex: `^localhost:${server.port}$`});
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a URL that is not http(s) and an invalid pattern are reported, not thrown', async t => {
	const prober = createProber();
	try {
		const ftp = await prober.probe({url: 'ftp://127.0.0.1/'});
		assertWellFormed(t, ftp);
		t.like(ftp, {httpStatusCode: failureStatus.other, errorKind: 'other'});

		const badPattern = await prober.probe({url: 'http://127.0.0.1:9/', regex: '('});
		assertWellFormed(t, badPattern);
		t.like(badPattern, {httpStatusCode: failureStatus.other, errorKind: 'other'});
		t.true(badPattern.errorMessage?.startsWith('regex "(" is invalid'));
	} finally {
		await prober.close();
	}
});

test('a --timeout longer than 10 s is the deadline of every phase: headers after 10.3 s still arrive', async t => {
	const server = await httpServer((_request, response) => {
		setTimeout(() => response.end(page), 10_300);
	});
	const prober = createProber({totalTimeoutMs: 15_000});
	try {
		const outcome = await prober.probe({url: server.url()});
		t.like(outcome, {httpStatusCode: 200, errorKind: undefined});
	} finally {
		await prober.close();
		await server.close();
	}
});
