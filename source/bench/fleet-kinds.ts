/**
What each fleet site does, as a pure function of its id. Nothing here touches a socket, so the
site list (generated in one process) and the servers (perhaps in another) agree without sharing state.
*/

/** Every behaviour a fleet site can have; the last segment of its URL path names it. */
export const fleetKinds = [
	'ok',
	'slow',
	'error',
	'notfound',
	'redirect',
	'hang',
	'reset',
	'match',
	'miss',
	'gzip',
	'trickle',
] as const;

/** One fleet behaviour (see `fleetKinds`). */
export type FleetKind = (typeof fleetKinds)[number];

/** Kind code in the request log for a path that names no fleet site. */
export const unknownKindCode = 255;

const kindCodes = new Map<string, number>(fleetKinds.map((kind, index) => [kind, index]));

/** The log's one-byte code for `kind`, or `unknownKindCode`. */
export function kindCode(kind: string): number {
	return kindCodes.get(kind) ?? unknownKindCode;
}

/** The kind name for a log code; `unknown` for paths that named no site. */
export function kindName(code: number): FleetKind | 'unknown' {
	return fleetKinds[code] ?? 'unknown';
}

/** Whether `value` names a fleet kind. */
export function isFleetKind(value: string): value is FleetKind {
	return kindCodes.has(value);
}

/** The phrase that `match` bodies contain and every other body lacks. */
export const fleetPhrase = 'webmon fleet ok';

/** The regex (RE2 syntax) that the generated site lists attach to `match` and `miss` sites. */
export const fleetRegex = 'webmon fleet ok';

/**
A 32-bit integer hash (Chris Wellons' lowbias32). Per-site parameters come from hashing
(id, salt) rather than from a stateful generator, so any id can be asked about in any order.
*/
function hash32(value: number): number {
	let x = value >>> 0;
	x ^= x >>> 16;
	x = Math.imul(x, 0x7F_EB_35_2D);
	x ^= x >>> 15;
	x = Math.imul(x, 0x84_6C_A6_8B);
	x ^= x >>> 16;
	return x >>> 0;
}

/** A deterministic number in [0, 1) for site `id` and parameter `salt`. */
export function siteRandom(id: number, salt: number): number {
	return hash32(hash32(id) ^ Math.imul(salt + 1, 0x9E_37_79_B1)) / 4_294_967_296;
}

/** A deterministic integer in [min, max] for site `id` and parameter `salt`. */
export function siteInteger(id: number, salt: number, min: number, max: number): number {
	return min + Math.floor(siteRandom(id, salt) * (max - min + 1));
}

/**
A small seeded generator (mulberry32) for whole-list decisions such as shuffling the kinds over
a site list, where a sequence is natural.
*/
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6D_2B_79_F5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** Salts, one per parameter, so parameters of one site are independent of each other. */
const salt = {
	latency: 1,
	bodyBytes: 2,
	slow: 3,
	trickle: 4,
	bodyOffset: 5,
	interval: 6,
} as const;

/** Exported so the site list uses the same stream for intervals everywhere. */
export const intervalSalt = salt.interval;

/** Server think time before answering `ok`, `error`, `notfound`, `match`, `miss`, `gzip`: 5-80 ms. */
export function siteLatencyMs(id: number): number {
	return siteInteger(id, salt.latency, 5, 80);
}

/** Size of the (uncompressed) body: 2-20 KiB, like a small real page. */
export function siteBodyBytes(id: number): number {
	return siteInteger(id, salt.bodyBytes, 2048, 20_480);
}

/** Delay before a `slow` site answers: 1-3 s. */
export function siteSlowMs(id: number): number {
	return siteInteger(id, salt.slow, 1000, 3000);
}

/** Number of pieces a `trickle` body is sent in. */
export const trickleChunks = 16;

/** Pause between `trickle` pieces: 60-150 ms, so the whole body takes about 1-2.4 s. */
export function siteTrickleStepMs(id: number): number {
	return siteInteger(id, salt.trickle, 60, 150);
}

/** Where in the shared filler text this site's body starts, so sites do not all serve one page. */
export function siteBodyOffset(id: number, span: number): number {
	return span <= 0 ? 0 : siteInteger(id, salt.bodyOffset, 0, span - 1);
}

/**
How long a site of `kind` takes by design to finish its answer, ms: the longest a healthy client
on an idle machine waits for it (`Infinity` for `hang`, 0 for `reset`). A check of a site whose
design fits well inside the deadline has no business timing out.
*/
export function siteDesignedMs(id: number, kind: FleetKind): number {
	switch (kind) {
		case 'hang': {
			return Infinity;
		}

		case 'reset': {
			return 0;
		}

		case 'slow': {
			return siteSlowMs(id);
		}

		case 'trickle': {
			// Headers at once, then one piece per step; the last piece ends the body.
			return trickleChunks * siteTrickleStepMs(id);
		}

		case 'redirect': {
			// The 302, then the same site's `ok` page, each after the site's think time.
			return 2 * siteLatencyMs(id);
		}

		default: {
			return siteLatencyMs(id);
		}
	}
}
