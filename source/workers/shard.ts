/**
Which of `workers` shards owns a site. By id, so a site keeps its shard for the whole run and the
shards stay even however the ids were allocated (ids are dense serials in practice).
*/
export function shardOf(siteId: number, workers: number): number {
	return ((siteId % workers) + workers) % workers;
}

/** Splits `items` by shard; every item lands in exactly one shard. */
export function splitByShard<T>(items: Iterable<T>, workers: number, idOf: (item: T) => number): T[][] {
	const shards: T[][] = Array.from({length: workers}, () => []);
	for (const item of items) {
		shards[shardOf(idOf(item), workers)]!.push(item);
	}

	return shards;
}
