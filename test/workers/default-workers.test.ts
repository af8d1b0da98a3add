import test from 'ava';
import type {SiteSpec} from '../../source/engine/types.js';
import {defaultWorkers} from '../../source/workers/default-workers.js';

const sites = (count: number, intervalSeconds: number, paused = false, scheme = 'http'): SiteSpec[] =>
	Array.from({length: count}, (_, index) => ({id: index + 1, url: `${scheme}://127.0.0.1:8080/${index}`, intervalSeconds, paused}));

test('the 15 sample sites and small fleets run on the main thread', t => {
	t.is(defaultWorkers(sites(15, 5), 8), 0);
	// 50 checks a second is the main thread's share, exactly.
	t.is(defaultWorkers(sites(500, 10), 8), 0);
	t.is(defaultWorkers([], 8), 0);
});

test('past 50 checks a second: one worker per 1,500 plain HTTP checks a second, at most one per core', t => {
	t.is(defaultWorkers(sites(501, 10), 8), 1);
	t.is(defaultWorkers(sites(15_000, 10), 8), 1);
	t.is(defaultWorkers(sites(15_001, 10), 8), 2);
	t.is(defaultWorkers(sites(100_000, 60), 2), 2);
	t.is(defaultWorkers(sites(100_000, 1), 4), 4);
	t.is(defaultWorkers(sites(600, 1), 1), 1);
});

test('an HTTPS check weighs four plain ones (a handshake each when the server closes)', t => {
	// 400 HTTPS checks a second are 1,600 plain ones: two workers where plain HTTP needs one.
	t.is(defaultWorkers(sites(4000, 10, false, 'https'), 8), 2);
	t.is(defaultWorkers(sites(4000, 10), 8), 1);
	// The 50-a-second threshold for the main thread counts checks, whatever their scheme.
	t.is(defaultWorkers(sites(500, 10, false, 'https'), 8), 0);
});

test('paused sites offer no load', t => {
	t.is(defaultWorkers([...sites(10_000, 1, true), ...sites(10, 1)], 8), 0);
});
