import test from 'ava';
import type {SiteSpec} from '../../source/engine/types.js';
import {OriginShards} from '../../source/workers/shard.js';

const site = (id: number, origin: string, intervalSeconds = 10): SiteSpec => ({id, url: `${origin}/path/${id}`, intervalSeconds});

test('every site of one origin is in one shard, whatever its id', t => {
	const shards = new OriginShards(3);
	const origins = ['http://127.0.1.1:8080', 'http://127.0.1.2:8080', 'https://127.0.1.3', 'http://127.0.1.4:81'];
	for (let id = 1; id <= 400; id++) {
		shards.assign(site(id, origins[id % origins.length]!));
	}

	const shardsOfOrigin = new Map<string, Set<number | undefined>>();
	for (let id = 1; id <= 400; id++) {
		const origin = origins[id % origins.length]!;
		shardsOfOrigin.set(origin, new Set([...shardsOfOrigin.get(origin) ?? [], shards.of(id)]));
	}

	t.deepEqual([...shardsOfOrigin.values()].map(set => set.size), [1, 1, 1, 1]);
	t.is(new Set([...shardsOfOrigin.values()].flatMap(set => [...set])).size, 3, 'four origins over all three shards');

	// Spellings of one origin are one origin (the engine's lane key): default port, upper-case host.
	const first = shards.assign(site(1000, 'http://127.0.1.4:81')).shard;
	t.is(shards.assign(site(1001, 'HTTP://127.0.1.4:81')).shard, first);
	t.is(shards.assign(site(1002, 'https://127.0.1.3:443')).shard, shards.of(2)!, 'site 2 is on https://127.0.1.3');
});

test('a new origin goes to the shard offered the fewest checks a second', t => {
	const shards = new OriginShards(2);
	// A heavy origin (10 sites at 1 s) on shard 0, then a light one (1 site at 60 s) on shard 1.
	for (let id = 1; id <= 10; id++) {
		t.is(shards.assign(site(id, 'http://127.0.1.1:1', 1)).shard, 0);
	}

	t.is(shards.assign(site(11, 'http://127.0.1.2:1', 60)).shard, 1);
	// Shard 1 still has less: the next two new origins go there too, until it passes shard 0.
	t.is(shards.assign(site(12, 'http://127.0.1.3:1', 1)).shard, 1);
	for (let id = 13; id <= 22; id++) {
		shards.assign(site(id, 'http://127.0.1.3:1', 1));
	}

	t.is(shards.assign(site(23, 'http://127.0.1.4:1', 1)).shard, 0, 'shard 1 now has 11 + 1/60 checks a second against 10');
});

test('split groups ids by shard and leaves unknown ones out; release forgets a site and then its origin', t => {
	const shards = new OriginShards(2);
	shards.assign(site(1, 'http://127.0.1.1:1'));
	shards.assign(site(2, 'http://127.0.1.2:1'));
	shards.assign(site(3, 'http://127.0.1.1:1'));
	t.deepEqual(shards.split([1, 2, 3, 99]), [[1, 3], [2]]);
	shards.release(site(1, 'http://127.0.1.1:1'));
	shards.release(site(1, 'http://127.0.1.1:1'));
	t.is(shards.of(1), undefined);
	t.is(shards.of(3), 0);
	shards.release(site(3, 'http://127.0.1.1:1'));
	// Origin 1 has no site left; coming back, it goes where the load is least (shard 0 is empty now).
	t.is(shards.assign(site(4, 'http://127.0.1.1:1')).shard, 0);
});

test('a site given a URL on another origin moves, and says where it was', t => {
	const shards = new OriginShards(2);
	shards.assign(site(1, 'http://127.0.1.1:1'));
	shards.assign(site(2, 'http://127.0.1.2:1'));
	t.deepEqual(shards.assign(site(1, 'http://127.0.1.2:1'), site(1, 'http://127.0.1.1:1')), {shard: 1, moved: 0});
	t.deepEqual(shards.assign(site(1, 'http://127.0.1.2:1'), site(1, 'http://127.0.1.2:1')), {shard: 1, moved: undefined}, 'the same origin again: no move');
	// Origin 1 lost its only site: it is forgotten, and shard 0 carries no load any more.
	t.is(shards.assign(site(5, 'http://127.0.1.9:1')).shard, 0);
	t.throws(() => new OriginShards(0), {instanceOf: RangeError});
});
