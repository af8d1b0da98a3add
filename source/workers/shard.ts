import {originOf} from '../engine/slot-rows.js';
import type {SiteSpec} from '../engine/types.js';

/**
Which shard owns each site: every site of one origin (scheme, host, port) is in the same shard, so
that origin's `--max-per-host` connections are one pool in one engine. A new origin goes to the
shard offered the fewest checks a second so far, and stays there for the run.

Why by origin: splitting the sites by id put every host in every shard with its connections split
between them (16 per host became 8 in each of two workers). Two half-sized lanes serve less than a
whole one, and a host's hanging paths filled each half on its own: 30,000 paths on 30 hosts at
3,000 checks/s left checks waiting for their host: 20,698 `host_busy` rows of 240,000 by id,
15,301 by origin (a run limited by CPU either way).
*/
export class OriginShards {
	readonly #workers: number;
	readonly #byOrigin = new Map<string, {shard: number; sites: number}>();
	/** Shard per site id: small integers, so a million sites cost a map of numbers, no object each. */
	readonly #byId = new Map<number, number>();
	/** Offered checks a second per shard (1 / interval summed over its sites). */
	readonly #load: number[];

	constructor(workers: number) {
		if (!Number.isInteger(workers) || workers < 1) {
			throw new RangeError(`workers must be a positive integer, got ${workers}`);
		}

		this.#workers = workers;
		this.#load = Array.from({length: workers}, () => 0);
	}

	/**
	Places `spec` in its origin's shard (choosing one for a new origin) and returns it. `previous` is
	the site's spec before, when it is replaced: it is released first, and `moved` gives the shard it
	leaves when that is another one (the caller takes it out there).
	*/
	assign(spec: SiteSpec, previous?: SiteSpec): {shard: number; moved: number | undefined} {
		const before = previous && this.of(previous.id);
		if (previous) {
			this.release(previous);
		}

		const origin = originOf(spec.url);
		let entry = this.#byOrigin.get(origin);
		if (!entry) {
			entry = {shard: this.#leastLoaded(), sites: 0};
			this.#byOrigin.set(origin, entry);
		}

		entry.sites++;
		this.#load[entry.shard]! += 1 / spec.intervalSeconds;
		this.#byId.set(spec.id, entry.shard);
		return {shard: entry.shard, moved: before === entry.shard ? undefined : before};
	}

	/** The shard of site `id`; undefined for a site never assigned (or released). */
	of(id: number): number | undefined {
		return this.#byId.get(id);
	}

	/** Forgets the site `spec` (as it was assigned); an origin with no site left may go elsewhere when it comes back. */
	release(spec: SiteSpec): void {
		const shard = this.#byId.get(spec.id);
		if (shard === undefined) {
			return;
		}

		this.#byId.delete(spec.id);
		this.#load[shard]! -= 1 / spec.intervalSeconds;
		const origin = originOf(spec.url);
		const entry = this.#byOrigin.get(origin);
		if (entry && --entry.sites === 0) {
			this.#byOrigin.delete(origin);
		}
	}

	/** Splits `ids` by their shard (ids never assigned are left out). */
	split(ids: Iterable<number>): number[][] {
		const shards: number[][] = Array.from({length: this.#workers}, () => []);
		for (const id of ids) {
			const shard = this.of(id);
			if (shard !== undefined) {
				shards[shard]!.push(id);
			}
		}

		return shards;
	}

	#leastLoaded(): number {
		let best = 0;
		for (let shard = 1; shard < this.#workers; shard++) {
			if (this.#load[shard]! < this.#load[best]!) {
				best = shard;
			}
		}

		return best;
	}
}
