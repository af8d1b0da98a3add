import type {SiteSpec} from './types.js';

/**
Where a site's grid starts. First checks are spread over each site's first interval so start-up is
not a thundering herd, deterministically per site (a hash of its URL), so a restart or another
instance puts the same site at the same phase.
*/
export function phaseOffsetMs(spec: SiteSpec): number {
	return Math.floor(hashFraction(spec.url) * spec.intervalSeconds * 1000);
}

/** The first slot of a site on the grid anchored at `anchor` that is not before `now`. */
export function firstSlot(spec: SiteSpec, anchor: number, now: number): number {
	return nextSlotAfter(spec, anchor, now);
}

/** The earliest slot `anchor + phase + k * interval` (k >= 0) at or after `now`. */
export function nextSlotAfter(spec: SiteSpec, anchor: number, now: number): number {
	const start = anchor + phaseOffsetMs(spec);
	if (now <= start) {
		return start;
	}

	const interval = spec.intervalSeconds * 1000;
	return start + (Math.ceil((now - start) / interval) * interval);
}

/** FNV-1a over the string with murmur3's finaliser (URLs differ only in their last bytes), mapped to [0, 1). */
export function hashFraction(text: string): number {
	let hash = 0x81_1C_9D_C5;
	for (let index = 0; index < text.length; index++) {
		hash ^= text.charCodeAt(index);
		hash = Math.imul(hash, 0x01_00_01_93);
	}

	hash ^= hash >>> 16;
	hash = Math.imul(hash, 0x85_EB_CA_6B);
	hash ^= hash >>> 13;
	hash = Math.imul(hash, 0xC2_B2_AE_35);
	hash ^= hash >>> 16;
	return (hash >>> 0) / 0x1_00_00_00_00;
}
