import {fleetPhrase, seededRandom, siteBodyBytes, siteBodyOffset} from './fleet-kinds.js';

/**
Page bodies for fleet sites. Every body is a slice of one shared filler text, so 100,000 sites cost
one 40 KiB buffer instead of a page each, yet each site serves its own deterministic page.
*/

// Latin filler without the words of `fleetPhrase`, so only `match` bodies can match it.
const words = [
	'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do',
	'eiusmod', 'tempor', 'incididunt', 'ut', 'labore', 'et', 'dolore', 'magna', 'aliqua', 'enim',
	'ad', 'minim', 'veniam', 'quis', 'nostrud', 'exercitation', 'ullamco', 'laboris', 'nisi',
	'aliquip', 'ex', 'ea', 'commodo', 'consequat', 'duis', 'aute', 'irure', 'in', 'reprehenderit',
	'voluptate', 'velit', 'esse', 'cillum', 'fugiat', 'nulla', 'pariatur', 'excepteur', 'sint',
	'occaecat', 'cupidatat', 'non', 'proident', 'sunt', 'culpa', 'qui', 'officia', 'deserunt',
	'mollit', 'anim', 'id', 'est', 'laborum',
];

const fillerBytes = 40 * 1024;

function makeFiller(): Buffer {
	const random = seededRandom(0x5E_ED);
	const parts: string[] = [];
	let length = 0;
	while (length < fillerBytes) {
		const count = 8 + Math.floor(random() * 24);
		const sentence: string[] = [];
		for (let index = 0; index < count; index++) {
			sentence.push(words[Math.floor(random() * words.length)]!);
		}

		const paragraph = `<p>${sentence.join(' ')}.</p>\n`;
		parts.push(paragraph);
		length += paragraph.length;
	}

	return Buffer.from(parts.join('').slice(0, fillerBytes), 'latin1');
}

const filler = makeFiller();

/** What a `match` body carries in its middle. */
const matchMarker = Buffer.from(`<p>${fleetPhrase}</p>\n`, 'latin1');
// A near miss: a checker that matched only part of the phrase would wrongly pass `miss` sites.
const missMarker = Buffer.from('<p>webmon fleet down</p>\n', 'latin1');

function page(id: number, marker?: Buffer): Buffer {
	const head = Buffer.from(
		`<!doctype html>\n<html><head><title>fleet site ${id}</title></head><body>\n`,
		'latin1',
	);
	const foot = Buffer.from('</body></html>\n', 'latin1');
	const markerBytes = marker?.length ?? 0;
	const total = siteBodyBytes(id);
	const fillerLength = Math.max(0, total - head.length - foot.length - markerBytes);
	const offset = siteBodyOffset(id, filler.length - fillerLength);
	const text = filler.subarray(offset, offset + fillerLength);
	if (!marker) {
		return Buffer.concat([head, text, foot]);
	}

	// In the middle, so a checker that reads only the first bytes cannot see it.
	const half = Math.floor(text.length / 2);
	return Buffer.concat([head, text.subarray(0, half), marker, text.subarray(half), foot]);
}

/** The page of an `ok`, `slow`, `redirect` target, `gzip` (before compression) or `trickle` site. */
export function okBody(id: number): Buffer {
	return page(id);
}

/** A page that contains `fleetPhrase`. */
export function matchBody(id: number): Buffer {
	return page(id, matchMarker);
}

/** A page that lacks `fleetPhrase` but contains a near miss of it. */
export function missBody(id: number): Buffer {
	return page(id, missMarker);
}

/** A short error page, as servers send with a 404 or a 500. */
export function statusBody(id: number, status: number): Buffer {
	return Buffer.from(
		`<!doctype html>\n<html><head><title>${status}</title></head><body>fleet site ${id}: status ${status}</body></html>\n`,
		'latin1',
	);
}
