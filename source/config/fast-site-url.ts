import {canonicalIpv4} from '../text/url-patterns.js';
import {maxUrlBytes} from './input-limits.js';

/*
`normalizeSiteUrl` for the shape nearly every row has, without the WHATWG parser (about 2 us a
site, 2 s of a million-row start): `[http[s]://]host[:port][/path]`, all of it ASCII, where each
part is already what WHATWG would give back. Anything else, however slightly off, is left to the
general path, which also writes every error message: so `fastSiteUrl` returns what the general path
would, or `undefined`, never a different string and never an error. Left to it are, among others,
upper case in the host, `_`, a trailing dot, IDN and `xn--` labels (WHATWG may decode and refuse
them), a last label that is a number (WHATWG reads `127.1`, `0x7f.1` and `010.0.0.1` as IPv4), a port
with a leading zero, `%`, a path segment starting with `.`, a query and a fragment.
*/

// `hostLabel` of normalize-url.ts, but for upper case and `_` (left to WHATWG, to lower-case or refuse).
const label = String.raw`(?!xn--)[\da-z](?:[\d\-a-z]{0,61}[\da-z])?`;
const hostEnd = '(?:[/:]|$)';
// At most 253 characters, as normalize-url.ts's `isDnsName` demands. Either a dotted quad, or a
// name whose last label is not a number (`1.2.3.4a` is a name; `1.2.3.04`, `127.1`, `0x7f` are not).
const host = String.raw`(?=[^/:]{1,253}${hostEnd})(?:${canonicalIpv4}|(?:${label}\.)*(?!0x|\d+${hostEnd})${label})`;
const port = String.raw`:(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d\d|655[0-2]\d|6553[0-5])`;
// Characters WHATWG neither percent-encodes nor decodes in a path; no segment may start with `.`,
// which covers the `.` and `..` segments it resolves.
const path = String.raw`(?:\/(?!\.)[\w!$&'()*+,\-.:;=@~]*)+`;
// Groups: the `s` of `https` (`undefined` without a scheme), the host, `:port`, the path.
const plainSiteUrl = new RegExp(String.raw`^(?:[Hh][Tt][Tt][Pp]([Ss]?):\/\/)?(${host})(${port})?(${path})?$`);

/**
What `normalizeSiteUrl(raw)` returns when `raw` has the common shape and normalising it cannot fail,
else `undefined`.
*/
export function fastSiteUrl(raw: string): string | undefined {
	// The match leaves `raw`, and so the piece of the file it was cut from, in RegExp's last match
	// until the next match anywhere; the interval's `/^\d+$/` did so already: one line, not one a site.
	const match = plainSiteUrl.exec(raw);
	if (match === null) {
		return undefined;
	}

	const [, secure, hostName, portPart, pathPart] = match as unknown as [string, string | undefined, string, string | undefined, string | undefined];
	const http = secure === '';
	const prefix = http ? 'http://' : 'https://';
	const explicitPort = portPart ?? (http ? ':80' : ':443');
	// A root path alone is dropped, as `example.com/` and `example.com` are one site.
	const rest = pathPart === undefined || pathPart === '/' ? '' : pathPart;
	if (prefix.length + hostName.length + explicitPort.length + rest.length > maxUrlBytes) {
		// The general path throws, with its message.
		return undefined;
	}

	// The result is kept as long as the site is, so it must not be a concatenation tree of slices
	// of the line (see `ownString`). `join` of two or more strings copies them into one new flat
	// string, in a third of the time of `ownString`'s round trip through a Buffer.
	return [prefix, hostName, explicitPort, rest].join('');
}
