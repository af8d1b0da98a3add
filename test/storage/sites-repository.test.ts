import {sql} from 'slonik';
import {z} from 'zod';
import {createBatchedResultWriter} from '../../source/storage/batched-result-writer.js';
import {
	countChecks,
	loadSites,
	recentChecks,
	setPaused,
	upsertSites,
} from '../../source/storage/sites-repository.js';
import {forEachDatabase} from '../helpers/database.js';
import {checkResult} from './check-result-fixture.js';

forEachDatabase('upsertSites is idempotent and updates interval and regex', async (t, {database}) => {
	const input = [
		{url: 'https://a.example:443', intervalSeconds: 10},
		{url: 'https://b.example:443', intervalSeconds: 20, regex: 'foo'},
	];
	const first = await upsertSites(database.pool, input);
	t.deepEqual(first.map(site => [site.url, site.intervalSeconds, site.regex, site.paused]), [
		['https://a.example:443', 10, undefined, false],
		['https://b.example:443', 20, 'foo', false],
	]);

	const again = await upsertSites(database.pool, input);
	t.deepEqual(again, first);

	const updatedAt = sql.type(z.object({url_uq: z.string(), updated_at: z.number()}))`
		SELECT url_uq, updated_at FROM website ORDER BY url_uq
	`;
	const before = await database.pool.any(updatedAt);
	const changed = await upsertSites(database.pool, [
		{url: 'https://b.example:443', intervalSeconds: 30},
		{url: 'https://c.example:443', intervalSeconds: 5, regex: 'bar'},
	]);
	t.deepEqual(changed.map(site => [site.url, site.intervalSeconds, site.regex]), [
		['https://b.example:443', 30, undefined],
		['https://c.example:443', 5, 'bar'],
	]);
	t.is(changed[0]!.id, first[1]!.id, 'an updated site keeps its id');
	const after = await database.pool.any(updatedAt);
	t.is(after[0]!.updated_at, before[0]!.updated_at, 'an unchanged site keeps updated_at');

	const all = await loadSites(database.pool);
	t.deepEqual(all.map(site => [site.url, site.intervalSeconds, site.regex]), [
		['https://a.example:443', 10, undefined],
		['https://b.example:443', 30, undefined],
		['https://c.example:443', 5, 'bar'],
	]);
});

forEachDatabase('upsertSites: a URL listed twice keeps its last row; fractional intervals round', async (t, {database}) => {
	const sites = await upsertSites(database.pool, [
		{url: 'https://a.example:443', intervalSeconds: 10},
		{url: 'https://b.example:443', intervalSeconds: 2.4},
		{url: 'https://a.example:443', intervalSeconds: 0.2, regex: 'x'},
	]);
	t.deepEqual(sites.map(site => [site.url, site.intervalSeconds, site.regex]), [
		['https://b.example:443', 2, undefined],
		['https://a.example:443', 1, 'x'],
	]);
	await t.throwsAsync(upsertSites(database.pool, [{url: 'https://z.example:443', intervalSeconds: 0}]), {
		message: /not a positive number/,
	});
	t.deepEqual(await upsertSites(database.pool, []), []);
});

forEachDatabase('upsertSites stores 60,000 sites (more than one statement fills the input table) in input order', async (t, {database}) => {
	const input = Array.from({length: 60_000}, (_, index) => ({
		url: `https://site-${String(index).padStart(5, '0')}.example:443`,
		intervalSeconds: 5 + (index % 295),
	}));
	const sites = await upsertSites(database.pool, input);
	t.is(sites.length, 60_000);
	t.deepEqual(sites.map(site => site.url), input.map(site => site.url));
	t.is(new Set(sites.map(site => site.id)).size, 60_000);
	t.is((await loadSites(database.pool)).length, 60_000);
});

forEachDatabase('setPaused flips only the named sites', async (t, {database}) => {
	const [a, b, c] = await upsertSites(database.pool, [
		{url: 'https://a.example:443', intervalSeconds: 10},
		{url: 'https://b.example:443', intervalSeconds: 10},
		{url: 'https://c.example:443', intervalSeconds: 10},
	]);
	t.is(await setPaused(database.pool, [a!.id, c!.id], true), 2);
	t.is(await setPaused(database.pool, [a!.id, c!.id], true), 0, 'already paused');
	t.deepEqual((await loadSites(database.pool)).map(site => site.paused), [true, false, true]);
	t.is(await setPaused(database.pool, [c!.id, b!.id], false), 1);
	t.is(await setPaused(database.pool, [], false), 0);
	t.deepEqual((await loadSites(database.pool)).map(site => site.paused), [true, false, false]);
	// A paused site keeps its flag when the CSV is loaded again.
	await upsertSites(database.pool, [{url: 'https://a.example:443', intervalSeconds: 11}]);
	t.true((await loadSites(database.pool))[0]!.paused);
});

forEachDatabase('recentChecks returns the last N checks of one site, newest first, in ms', async (t, {database}) => {
	const [a, b] = await upsertSites(database.pool, [
		{url: 'https://a.example:443', intervalSeconds: 10},
		{url: 'https://b.example:443', intervalSeconds: 10},
	]);
	const writer = createBatchedResultWriter({pool: database.pool});
	const start = Date.UTC(2026, 0, 1);
	for (let index = 0; index < 5; index++) {
		const scheduledAt = start + (index * 10_000);
		// Odd checks sent no request (e.g. a refused connection).
		writer.push(checkResult({siteId: a!.id, scheduledAt, responseTimeMs: 100 + index, sentAt: index % 2 === 0 ? scheduledAt + 9 : undefined}));
		writer.push(checkResult({siteId: b!.id, scheduledAt: start + (index * 10_000)}));
	}

	writer.push(checkResult({
		siteId: a!.id,
		scheduledAt: start + 60_000,
		httpStatusCode: 598,
		errorKind: 'timeout',
		errorMessage: 'no answer',
		finalUrl: 'https://a.example/next',
		regexMatchStatus: 2,
	}));
	await writer.close();

	t.is(await countChecks(database.pool), 11);
	const recent = await recentChecks(database.pool, a!.id, 3);
	t.is(recent.length, 3);
	t.deepEqual(recent.map(check => check.scheduledAt), [start + 60_000, start + 40_000, start + 30_000]);
	t.like(recent[0], {
		siteId: a!.id,
		httpStatusCode: 598,
		errorKind: 'timeout',
		errorMessage: 'no answer',
		finalUrl: 'https://a.example/next',
		regexMatchStatus: 2,
	});
	t.like(recent[1], {responseTimeMs: 104, requestedAt: start + 40_000 + 5, errorKind: undefined, errorMessage: undefined});
	t.deepEqual(recent.map(check => check.sentAt), [undefined, start + 40_000 + 9, undefined]);
	t.true(recent[0]!.checkId > recent[1]!.checkId);
	t.deepEqual(await recentChecks(database.pool, 999_999, 3), []);
});

forEachDatabase('upsertSites leaves rows that did not change unwritten (a restart rewrote every site before)', async (t, {database}) => {
	const input = [
		{url: 'https://a.example:443', intervalSeconds: 10},
		{url: 'https://b.example:443', intervalSeconds: 20, regex: 'foo'},
	];
	await upsertSites(database.pool, input);
	// Xmin is the transaction that wrote the row version: unchanged when the row was not written.
	const versions = sql.type(z.object({url_uq: z.string(), xmin: z.string()}))`SELECT url_uq, xmin::text AS xmin FROM website ORDER BY url_uq`;
	const before = await database.pool.any(versions);
	await upsertSites(database.pool, [input[0]!, {...input[1]!, regex: 'bar'}]);
	const after = await database.pool.any(versions);
	t.is(after[0]!.xmin, before[0]!.xmin, 'unchanged: not written');
	t.not(after[1]!.xmin, before[1]!.xmin, 'changed: written');
});

forEachDatabase('upsertSites keeps every character of a regex, with or without a tab in it', async (t, {database}) => {
	const patterns = [String.raw`^\d+ "ok" 'up' \t é ✓$`, 'tab\there', String.raw`back\\slash,comma`];
	for (const [round, pattern] of patterns.entries()) {
		const input = [
			{url: `https://round${round}.example:443/a`, intervalSeconds: 10, regex: pattern},
			{url: `https://round${round}.example:443/b`, intervalSeconds: 20},
		];
		const stored = await upsertSites(database.pool, input);
		t.deepEqual(stored.map(site => [site.url, site.intervalSeconds, site.regex]), input.map(site => [site.url, site.intervalSeconds, site.regex]));
		const loaded = await loadSites(database.pool);
		t.is(loaded.find(site => site.url === input[0]!.url)?.regex, pattern);
		t.is(loaded.find(site => site.url === input[1]!.url)?.regex, undefined);
	}
});
