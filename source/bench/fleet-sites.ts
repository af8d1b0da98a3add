import {writeFile} from 'node:fs/promises';
import {fleetKinds, fleetRegex, intervalSalt, seededRandom, siteInteger, type FleetKind} from './fleet-kinds.js';

/** Relative weights of kinds in a site list; kinds left out get none. */
export type FleetMix = Partial<Record<FleetKind, number>>;

/** Named mixes. */
export const fleetMixes = {
	/**
	What the benchmark monitors: mostly healthy pages, with the failures that cost a checker the
	most (hangs, resets) at rates a real fleet of 100,000 sites shows.
	*/
	bench: {hang: 1, reset: 1, error: 2, redirect: 1, match: 4, miss: 1, ok: 90},
	/** Every kind at least once in 40 sites, for `npm run demo`: 10 `ok` and 3 of each other kind. */
	demo: {ok: 10, slow: 3, error: 3, notfound: 3, redirect: 3, hang: 3, reset: 3, match: 3, miss: 3, gzip: 3, trickle: 3},
} as const satisfies Record<string, FleetMix>;

/**
`mix` with `hang` holding `percent` of the weight and every other kind keeping its relative share,
so the benchmark can ask for "the bench mix, but 10% of sites hanging".
*/
export function mixWithHangPercent(mix: FleetMix, percent: number): FleetMix {
	if (!(percent >= 0 && percent <= 100)) {
		throw new RangeError(`hang percent must be between 0 and 100, got ${percent}`);
	}

	const others = fleetKinds.filter(kind => kind !== 'hang' && (mix[kind] ?? 0) > 0);
	const otherTotal = others.reduce((sum, kind) => sum + mix[kind]!, 0);
	if (otherTotal <= 0 && percent < 100) {
		throw new RangeError('fleet mix needs a kind other than hang to scale');
	}

	const result: Partial<Record<FleetKind, number>> = {hang: percent};
	for (const kind of others) {
		result[kind] = (mix[kind]! * (100 - percent)) / otherTotal;
	}

	return result;
}

/** A preset name from `fleetMixes`. */
export type FleetMixName = keyof typeof fleetMixes;

/** Default check interval range of a generated site list, seconds (what real monitors use). */
export const defaultIntervalSeconds: readonly [number, number] = [5, 300];

/** One generated site. */
export type FleetSite = {
	/** The id in the URL path (`/s/<id>/<kind>`) and in the request log; not a `website_id`. */
	readonly fleetId: number;
	/** E.g. `http://127.0.1.2:40123/s/12/ok`. */
	readonly url: string;
	/** Whole seconds between checks, deterministic per id. */
	readonly intervalSeconds: number;
	/** Set for `match` and `miss` sites: `fleetRegex`. */
	readonly regex?: string;
	readonly kind: FleetKind;
};

/** What `sites()` should generate. */
export type FleetSitesOptions = {
	/** Number of sites. */
	readonly count: number;
	/** Weights per kind, or a preset name. Default: `bench`. */
	readonly mix?: FleetMix | FleetMixName;
	/** Inclusive range of intervals in whole seconds. Default: 5-300 (demo preset: 5-30). */
	readonly intervalSeconds?: readonly [min: number, max: number];
	/** Which servers to point at. Default: `http`. `https` needs a fleet started with `https: true`. */
	readonly scheme?: 'http' | 'https';
	/** Id of the first site; the others follow. Default: 1. */
	readonly firstId?: number;
	/** Seed of the kind shuffle; same options and seed, same list. Default: 1. */
	readonly seed?: number;
	/**
	How many of the fleet's origins the list uses, picked one address after another (see
	`spreadOrigins`) so that sites sharing an origin do not also share an address with other origins.
	Default: every origin, in the fleet's order.
	*/
	readonly origins?: number;
};

/**
The first `count` of `origins` taken one per address in turn (127.0.1.1, 127.0.1.2, ..., then the
second port of each), so that up to one origin per address, origins and hosts are the same thing
whichever of the two a checker's per-host limit counts. Throws when the fleet has fewer.
*/
export function spreadOrigins(origins: readonly string[], count: number): string[] {
	if (!Number.isSafeInteger(count) || count < 1) {
		throw new RangeError(`origin count must be a whole number >= 1, got ${count}`);
	}

	if (count > origins.length) {
		throw new RangeError(`the site list needs ${count} origins but the fleet serves ${origins.length} of this scheme; start it with more addresses or ports`);
	}

	const byHost = new Map<string, string[]>();
	for (const origin of origins) {
		const host = new URL(origin).hostname;
		const ports = byHost.get(host);
		if (ports) {
			ports.push(origin);
		} else {
			byHost.set(host, [origin]);
		}
	}

	const hosts = [...byHost.values()];
	const picked: string[] = [];
	for (let round = 0; picked.length < count; round++) {
		for (const ports of hosts) {
			if (round < ports.length && picked.length < count) {
				picked.push(ports[round]!);
			}
		}
	}

	return picked;
}

/**
Exact kind counts for `count` sites (largest remainder), so a 1% weight over 100,000 sites is
exactly 1,000 sites rather than a random number near it.
*/
export function allocateKinds(count: number, mix: FleetMix): Map<FleetKind, number> {
	const weights = fleetKinds
		.map(kind => [kind, mix[kind] ?? 0] as const)
		.filter(([, weight]) => weight > 0);
	const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
	if (total <= 0 || !Number.isFinite(total)) {
		throw new RangeError('fleet mix needs at least one kind with a positive weight');
	}

	const counts = new Map<FleetKind, number>();
	const remainders: Array<[FleetKind, number]> = [];
	let assigned = 0;
	for (const [kind, weight] of weights) {
		const exact = (count * weight) / total;
		const whole = Math.floor(exact);
		counts.set(kind, whole);
		assigned += whole;
		remainders.push([kind, exact - whole]);
	}

	// Stable sort: ties go to the kind listed first in `fleetKinds`.
	remainders.sort((a, b) => b[1] - a[1]);
	for (let index = 0; assigned < count; index++, assigned++) {
		const kind = remainders[index % remainders.length]![0];
		counts.set(kind, counts.get(kind)! + 1);
	}

	return counts;
}

function resolveMix(mix: FleetSitesOptions['mix']): FleetMix {
	if (mix === undefined) {
		return fleetMixes.bench;
	}

	if (typeof mix === 'string') {
		const preset = fleetMixes[mix];
		if (!preset) {
			throw new RangeError(`unknown fleet mix "${mix}"; expected one of ${Object.keys(fleetMixes).join(', ')}`);
		}

		return preset;
	}

	return mix;
}

/**
Generates a site list over `origins` (e.g. `http://127.0.1.1:40123`; `options.origins` of them when
set). Sites go round-robin over the origins used, kinds are shuffled over the list with a seeded generator, and each interval is a
hash of the site id, so equal options give an equal list.
*/
export function generateSites(origins: readonly string[], options: FleetSitesOptions): FleetSite[] {
	const {count, firstId = 1, seed = 1} = options;
	if (!Number.isSafeInteger(count) || count < 0) {
		throw new RangeError(`site count must be a whole number >= 0, got ${count}`);
	}

	if (origins.length === 0) {
		throw new RangeError(`the fleet serves no ${options.scheme ?? 'http'} origins`);
	}

	const used = options.origins === undefined ? origins : spreadOrigins(origins, options.origins);

	const [minInterval, maxInterval] =
		options.intervalSeconds ?? (options.mix === 'demo' ? [5, 30] : defaultIntervalSeconds);
	if (!(minInterval >= 1 && maxInterval >= minInterval)) {
		throw new RangeError(`interval range must satisfy 1 <= min <= max, got ${minInterval}-${maxInterval}`);
	}

	const kinds: FleetKind[] = [];
	for (const [kind, kindCount] of allocateKinds(count, resolveMix(options.mix))) {
		for (let index = 0; index < kindCount; index++) {
			kinds.push(kind);
		}
	}

	const random = seededRandom(seed);
	for (let index = kinds.length - 1; index > 0; index--) {
		const other = Math.floor(random() * (index + 1));
		const swapped = kinds[index]!;
		kinds[index] = kinds[other]!;
		kinds[other] = swapped;
	}

	return kinds.map((kind, index) => {
		const fleetId = firstId + index;
		const site: FleetSite = {
			fleetId,
			url: `${used[index % used.length]!}/s/${fleetId}/${kind}`,
			intervalSeconds: siteInteger(fleetId, intervalSalt, Math.ceil(minInterval), Math.floor(maxInterval)),
			kind,
		};
		return kind === 'match' || kind === 'miss' ? {...site, regex: fleetRegex} : site;
	});
}

function quote(field: string): string {
	return `"${field.replaceAll('"', '""')}"`;
}

/**
The predecessor's CSV format: `url,interval[,regex]`, regex quoted. URLs keep their scheme
(`http://` matters: a bare host means https there).
*/
export function sitesCsv(sites: readonly FleetSite[]): string {
	const lines = sites.map(site =>
		site.regex === undefined
			? `${site.url},${site.intervalSeconds}`
			: `${site.url},${site.intervalSeconds},${quote(site.regex)}`,
	);
	return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Writes `sites` to `path` as CSV (see `sitesCsv`). */
export async function writeSitesCsv(path: string, sites: readonly FleetSite[]): Promise<void> {
	await writeFile(path, sitesCsv(sites));
}
