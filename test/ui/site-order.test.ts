import test from 'ava';
import {applyResult, initialView, type SiteView} from '../../source/engine/site-state.js';
import type {CheckResult} from '../../source/engine/types.js';
import {compileFilter} from '../../source/ui/site-filter.js';
import {orderSites, siteAt} from '../../source/ui/site-order.js';

/** 10,000 views with latencies, codes and failures that differ by id. */
function fleet(count = 10_000): SiteView[] {
	return Array.from({length: count}, (_, index) => {
		const id = index + 1;
		let view = initialView({id, url: `https://host-${String((id * 7919) % count).padStart(5, '0')}.example.com/p/${id}`, intervalSeconds: 60});
		const result: CheckResult = {
			siteId: id,
			url: view.url,
			scheduledAt: 0,
			requestedAt: 0,
			httpStatusCode: id % 100 === 0 ? 503 : 200,
			responseTimeMs: (id * 37) % 5000,
			regexMatchStatus: 2,
			...((id % 250 === 0) && {httpStatusCode: 598, errorKind: 'connect_timeout' as const}),
		};
		for (let check = 0; check < id % 7; check++) {
			view = applyResult(view, result);
		}

		return {...view, nextDueAt: 1_000_000 + ((id * 13) % 60_000)};
	});
}

const sites = fleet();
const sorted = (ids: readonly number[]) => [...ids].sort((a, b) => a - b);
const byId = new Map(sites.map(view => [view.id, view]));

test('the empty filter shows every site; a substring matches URL, status, code and error kind', t => {
	t.is(orderSites(sites, compileFilter('', 2000), 'url', false, 2000).ids.length, 10_000);
	const host = orderSites(sites, compileFilter('HOST-0004', 2000), 'url', false, 2000);
	t.true(host.ids.length > 0);
	t.true(host.ids.every(id => byId.get(id)!.url.includes('host-0004')), 'case-insensitive substring of the URL');
	const down = orderSites(sites, compileFilter('down', 2000), 'url', false, 2000).ids;
	t.deepEqual(sorted(down), sites.filter(view => view.status === 'down').map(view => view.id));
	const code = orderSites(sites, compileFilter('503', 2000), 'url', false, 2000).ids;
	t.true(code.every(id => byId.get(id)!.last?.httpStatusCode === 503 || byId.get(id)!.url.includes('503')));
	t.true(code.some(id => byId.get(id)!.last?.httpStatusCode === 503));
	const kind = orderSites(sites, compileFilter('connect_timeout', 2000), 'url', false, 2000).ids;
	t.deepEqual(sorted(kind), sites.filter(view => view.last?.errorKind === 'connect_timeout').map(view => view.id));
});

test('/regex/ runs on RE2: anchored, case-insensitive, and linear on a pathological pattern', t => {
	const anchored = orderSites(sites, compileFilter(String.raw`/^https://HOST-0000[0-9]\./`, 2000), 'url', false, 2000).ids;
	t.is(anchored.length, 10);
	const pathological = compileFilter('/(a+)+$/', 2000);
	t.is(pathological.error, undefined);
	orderSites(sites, pathological, 'status', false, 2000);
	// Linear because it is RE2, not V8's backtracking engine: RE2 refuses what only backtracking can do.
	// (How fast a pattern runs is the benchmark's to measure.)
	t.truthy(compileFilter(String.raw`/(a)\1/`, 2000).error, 'no backreferences');
	t.truthy(compileFilter('/a(?=b)/', 2000).error, 'no lookahead');
	const invalid = compileFilter('/(/', 2000);
	t.truthy(invalid.error);
	t.is(orderSites(sites, invalid, 'url', false, 2000).ids.length, 0);
	t.false(compileFilter('/', 2000).error !== undefined, 'a lone slash is a substring');
});

test('every sort key orders 10,000 sites correctly, and reversing reverses', t => {
	const all = compileFilter('', 2000);
	const check = (sort: Parameters<typeof orderSites>[2], key: (view: SiteView) => number | string) => {
		const {ids} = orderSites(sites, all, sort, false, 2000);
		t.is(ids.length, 10_000);
		const keys = ids.map(id => key(byId.get(id)!));
		const outOfOrder = keys.findIndex((current, index) => index > 0 && keys[index - 1]! > current);
		t.is(outOfOrder, -1, `${sort}: ${String(keys[outOfOrder - 1])} before ${String(keys[outOfOrder])}`);

		const reversed = orderSites(sites, all, sort, true, 2000).ids;
		t.deepEqual(reversed, [...ids].reverse(), `${sort} reversed`);
	};

	const rank = {down: 0, slow: 1, up: 2, pending: 3, paused: 4} as const;
	check('status', view => rank[view.status === 'up' && view.last!.responseTimeMs > 2000 ? 'slow' : view.status]);
	check('latency', view => (view.last ? -view.last.responseTimeMs : Infinity));
	check('url', view => view.url);
	check('next', view => view.nextDueAt!);
	check('failures', view => -view.recentOutcomes.filter(ok => !ok).length);
});

test('ties break by URL, so the order is stable from one re-sort to the next', t => {
	const first = orderSites(sites, compileFilter('', 2000), 'status', false, 2000).ids;
	const again = orderSites([...sites].reverse(), compileFilter('', 2000), 'status', false, 2000).ids;
	t.deepEqual(again, first);
	const ups = first.filter(id => byId.get(id)!.status === 'up' && byId.get(id)!.last!.responseTimeMs <= 2000);
	const urls = ups.map(id => byId.get(id)!.url);
	t.deepEqual(urls, [...urls].sort());
});

test('siteAt reads rows from a newer snapshot, and finds sites that moved', t => {
	const order = orderSites(sites, compileFilter('', 2000), 'url', false, 2000);
	const newer = sites.map(view => ({...view, checks: view.checks + 1}));
	t.is(siteAt(newer, order, 0)!.checks, byId.get(order.ids[0]!)!.checks + 1);
	const shifted = newer.slice(1);
	const moved = siteAt(shifted, order, 5)!;
	t.is(moved.id, order.ids[5]!);
	t.is(siteAt(shifted, order, order.ids.indexOf(1)), undefined, 'a removed site reads as gone');
	t.is(siteAt(newer, order, 10_000), undefined);
});
