import test from 'ava';
import type {SiteSpec} from '../../source/engine/types.js';
import {defaultWorkers} from '../../source/workers/default-workers.js';

const sites = (count: number, intervalSeconds: number, paused = false): SiteSpec[] =>
	Array.from({length: count}, (_, index) => ({id: index + 1, url: `http://127.0.0.1:8080/${index}`, intervalSeconds, paused}));

test('the 15 sample sites and small fleets run on the main thread', t => {
	t.is(defaultWorkers(sites(15, 5), 8), 0);
	// 50 checks a second is the main thread's share, exactly.
	t.is(defaultWorkers(sites(500, 10), 8), 0);
	t.is(defaultWorkers([], 8), 0);
});

test('past 50 checks a second: one worker per 500 checks a second, at most one per core', t => {
	t.is(defaultWorkers(sites(501, 10), 8), 1);
	t.is(defaultWorkers(sites(10_000, 10), 8), 2);
	t.is(defaultWorkers(sites(100_000, 60), 2), 2);
	t.is(defaultWorkers(sites(100_000, 1), 4), 4);
	t.is(defaultWorkers(sites(600, 1), 1), 1);
});

test('paused sites offer no load', t => {
	t.is(defaultWorkers([...sites(10_000, 1, true), ...sites(10, 1)], 8), 0);
});
