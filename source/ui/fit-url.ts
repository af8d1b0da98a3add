import {fitMiddle, textWidth} from './text-width.js';

// `scheme://host:port`, the part of a URL that says which site it is. Up to the next `/` only, not
// `?` or `#`: the URLs shown are normalised (every one has a path), and ASCII mode writes `?` for
// each character of an international host.
const originPattern = /^[^/]*\/\/[^/]*/;

/**
A URL (already sanitised for display) fitted to at most `width` columns by cutting its middle, so
both ends show: `https://api.example.com…/v1/orders/42`. Many paths of one host differ only at the
end, which a cut at the end would hide. The whole origin is kept when it fits beside at least half
of the room for the path's tail; a longer origin is cut at its end, so the tail always keeps that
half (or all of the path, when the path is shorter), and the scheme and the host's start still show.
*/
export function fitUrl(url: string, width: number, ellipsis: string): string {
	const budget = width - textWidth(ellipsis);
	const origin = originPattern.exec(url)?.[0];
	const tail = Math.min(textWidth(url) - textWidth(origin ?? ''), Math.ceil(budget / 2));
	// Without an origin there is nothing to prefer: half and half.
	const head = Math.min(origin === undefined ? budget : textWidth(origin), budget - tail);
	return fitMiddle(url, width, ellipsis, head, false);
}
