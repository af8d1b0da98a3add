import test from 'ava';
import {failureStatus, regexMatchStatus} from '../../source/engine/types.js';
import {createProber} from '../../source/probe/index.js';
import {assertWellFormed, httpServer, type Loopback} from './loopback.js';

/** Serves `routes[path] = [status, location]`; any other path answers 200 with its own path. */
async function redirector(routes: Record<string, readonly [number, string?]>): Promise<Loopback> {
	return httpServer((request, response) => {
		const route = routes[request.url ?? ''];
		if (route) {
			response.statusCode = route[0];
			if (route[1] !== undefined) {
				response.setHeader('location', route[1]);
			}

			response.end('moved');
			return;
		}

		response.end(`final page at ${request.url}`);
	});
}

test('follows 301, 302, 303, 307 and 308 and reports the final URL', async t => {
	const target = await httpServer((_request, response) => {
		response.end('landed on the other origin');
	});
	const server = await redirector({
		'/start': [301, '/second'],
		'/second': [302, '/third'],
		'/third': [303, '/fourth'],
		'/fourth': [307, '/fifth'],
		'/fifth': [308, target.url('/end')],
	});
	const prober = createProber();
	try {
		const outcome = await prober.probe({url: server.url('/start'), regex: 'other origin'});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined, finalUrl: target.url('/end')});
	} finally {
		await prober.close();
		await server.close();
		await target.close();
	}
});

test('resolves relative, dot-segment, query-only and scheme-relative locations against the current URL', async t => {
	let port = 0;
	const server = await httpServer((request, response) => {
		const routes: Record<string, string> = {
			'/a/b/start': '../c',
			'/a/c': '?page=2',
			'/a/c?page=2': 'd/e',
			// Scheme-relative, with a fragment that must never reach the server.
			'/a/d/e': `//localhost:${port}/done#fragment`,
		};
		const location = routes[request.url ?? ''];
		if (location !== undefined) {
			response.statusCode = 302;
			response.setHeader('location', location);
		}

		response.end(`final page at ${request.url}`);
	});
	port = server.port;
	const prober = createProber();
	try {
		const outcome = await prober.probe({url: server.url('/a/b/start'), regex: '^final page at /done$'});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: 200, regexMatchStatus: regexMatchStatus.ok});
		t.is(outcome.finalUrl, `http://localhost:${port}/done`);
	} finally {
		await prober.close();
		await server.close();
	}
});

test('no redirect means no finalUrl; a redirect status without Location is the answer', async t => {
	const server = await redirector({'/nowhere': [302]});
	const prober = createProber();
	try {
		const direct = await prober.probe({url: server.url('/page')});
		t.is(direct.finalUrl, undefined);

		const outcome = await prober.probe({url: server.url('/nowhere'), regex: 'moved'});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: 302, regexMatchStatus: regexMatchStatus.ok, errorKind: undefined, finalUrl: undefined});
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a redirect loop is reported as redirect_loop', async t => {
	const server = await redirector({
		'/a': [302, '/b'],
		'/b': [301, '/c'],
		'/c': [307, '/a'],
	});
	const prober = createProber();
	try {
		const outcome = await prober.probe({url: server.url('/a'), regex: 'x'});
		assertWellFormed(t, outcome);
		t.like(outcome, {httpStatusCode: failureStatus.other, errorKind: 'redirect_loop', regexMatchStatus: regexMatchStatus.notChecked});
		t.is(outcome.finalUrl, server.url('/a'));

		const self = await redirector({'/self': [302, '/self']});
		try {
			t.like(await prober.probe({url: self.url('/self')}), {errorKind: 'redirect_loop'});
		} finally {
			await self.close();
		}
	} finally {
		await prober.close();
		await server.close();
	}
});

test('more than maxRedirects redirects is too_many_redirects; exactly maxRedirects is fine', async t => {
	const server = await httpServer((request, response) => {
		// `/hop/N` redirects until N reaches 3; `/endless/N` always redirects to a new URL.
		const [, kind, number] = /^\/(hop|endless)\/(\d+)$/.exec(request.url ?? '') ?? [];
		const hop = Number(number);
		if (kind === 'endless' || (kind === 'hop' && hop < 3)) {
			response.statusCode = 302;
			response.setHeader('location', `/${kind}/${hop + 1}`);
		}

		response.end('ok');
	});
	const prober = createProber({maxRedirects: 3});
	try {
		const fine = await prober.probe({url: server.url('/hop/0')});
		t.like(fine, {httpStatusCode: 200, errorKind: undefined, finalUrl: server.url('/hop/3')});

		const endless = await prober.probe({url: server.url('/endless/0')});
		assertWellFormed(t, endless);
		t.like(endless, {httpStatusCode: failureStatus.other, errorKind: 'too_many_redirects', regexMatchStatus: regexMatchStatus.notChecked});
		t.is(endless.finalUrl, server.url('/endless/3'));
	} finally {
		await prober.close();
		await server.close();
	}
});

test('a redirect to a scheme other than http(s) is not followed', async t => {
	const server = await redirector({
		'/ftp': [302, 'ftp://127.0.0.1/file'],
		'/js': [301, 'javascript:alert(1)'],
	});
	const prober = createProber();
	try {
		for (const path of ['/ftp', '/js']) {
			const outcome = await prober.probe({url: server.url(path)});
			assertWellFormed(t, outcome);
			t.like(outcome, {httpStatusCode: failureStatus.other, errorKind: 'bad_response'});
		}
	} finally {
		await prober.close();
		await server.close();
	}
});
