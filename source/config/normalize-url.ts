import {InputError} from '../errors.js';
import {ownString} from '../text/own-string.js';
import {quoteUntrusted} from '../text/sanitize.js';
import {fastSiteUrl} from './fast-site-url.js';
import {maxUrlBytes} from './input-limits.js';

/*
The predecessor keyed sites by `url_uq`, `https://host:port[/path]`: scheme and host lower-case and
the port always written out. Two spellings of one site must give the same key, or the unique index
lets duplicates in, so every spelling the CSV may use (bare host, upper case, IDN, explicit default
port, a lone `/`) is reduced to one form here, using the WHATWG parser for the hard parts (IDN to
punycode, percent-encoding, dot segments).
*/

const defaultPorts: Readonly<Record<string, number>> = {'http:': 80, 'https:': 443};

// `scheme:` followed by anything but a digit; `localhost:8080` is a host and port, not a scheme.
// Schemes may contain `.`, but ours do not, and leaving it out keeps `example.com:` a host.
const schemePrefix = /^([a-z][\d+\-a-z]*):(?!\d)/i;
// WHATWG silently strips or encodes these, so `a .com` would otherwise become a different site.
const whitespaceOrControl = /[\s\p{Control}]/u;
// A DNS label (after punycode) or an IPv4 octet; `_` appears in real host names, so it is allowed.
const hostLabel = /^(?!-)[\d\-_a-z]{1,63}(?<!-)$/;

/**
Turns a site as the user wrote it (`host[:port][/path][?query]`, optionally with `http://` or
`https://`) into the normalised `url_uq` form: `https://facebook.com:443`,
`http://example.com:8080/health?full=1`.

A bare host means https. The host is lower-cased and IDN becomes punycode; the port is always
explicit; a path or query is kept, a root path alone (`example.com/`) is dropped so it equals
`example.com`; the fragment is dropped.

@throws {InputError} `url "ftp://x" is not an http(s) URL`, or `url "…" is invalid: <reason>` for
an empty host, whitespace, credentials, a port outside 1–65535, or more than `maxUrlBytes` once
normalised.
*/
export function normalizeSiteUrl(raw: string): string {
	// Most rows (`example.com`, `https://example.com:8443/health`) need no parser; see fast-site-url.ts.
	return fastSiteUrl(raw) ?? normalizeSiteUrlSlow(raw);
}

/**
`normalizeSiteUrl` for every input, through the WHATWG parser; exported so tests can check that the
fast path gives the same result.
*/
export function normalizeSiteUrlSlow(raw: string): string {
	// Quoted only on failure: a million-row file calls this a million times.
	const quoted = () => quoteUntrusted(raw);
	const invalid = (reason: string) => new InputError(`url ${quoted()} is invalid: ${reason}`);

	if (raw === '') {
		throw invalid('it is empty');
	}

	if (whitespaceOrControl.test(raw)) {
		throw invalid('it contains whitespace or control characters');
	}

	// WHATWG reads `\` as `/` in http(s) URLs; refusing it keeps what the user sees what we fetch.
	if (raw.includes('\\')) {
		throw invalid('it contains a backslash');
	}

	let withScheme = raw;
	const scheme = schemePrefix.exec(raw);
	if (scheme) {
		const name = scheme[1]!.toLowerCase();
		// `https:example.com` parses in WHATWG but is almost always a typo; demand the `//`.
		if ((name !== 'http' && name !== 'https') || !raw.startsWith('//', scheme[0].length)) {
			throw new InputError(`url ${quoted()} is not an http(s) URL`);
		}
	} else {
		withScheme = `https://${raw}`;
	}

	const afterSlashes = withScheme.slice(withScheme.indexOf('//') + 2);
	const authorityEnd = afterSlashes.search(/[#/?]/);
	const authority = authorityEnd === -1 ? afterSlashes : afterSlashes.slice(0, authorityEnd);

	// WHATWG would skip extra slashes (`https:///x` has host `x`); an empty authority is no host.
	if (authority === '') {
		throw invalid('it has no host');
	}

	// Credentials would end up in the database, the terminal and every log line.
	if (authority.includes('@')) {
		throw invalid('it contains credentials (user@ or user:password@)');
	}

	const port = /^(?:\[[^\]]*\]|[^:]*):(.*)$/.exec(authority)?.[1];
	if (port !== undefined) {
		if (!/^\d+$/.test(port)) {
			throw invalid(`port ${quoteUntrusted(port)} is not a number`);
		}

		const portNumber = Number(port);
		if (portNumber < 1 || portNumber > 65_535) {
			throw invalid(`port ${portNumber} is out of range (1-65535)`);
		}
	}

	let url: URL;
	try {
		url = new URL(withScheme);
	} catch (error) {
		throw new InputError(`url ${quoted()} is invalid: it is not a valid URL`, {cause: error});
	}

	const host = url.hostname;
	if (host === '') {
		throw invalid('it has no host');
	}

	if (!host.startsWith('[') && !isDnsName(host)) {
		throw invalid(`host ${quoteUntrusted(host)} is not a valid host name`);
	}

	const effectivePort = url.port === '' ? defaultPorts[url.protocol] : Number(url.port);
	const rest = url.pathname === '/' && url.search === '' ? '' : url.pathname + url.search;
	const normalised = `${url.protocol}//${host}:${effectivePort}${rest}`;
	// Normalised URLs are ASCII (punycode, percent-encoding), so length is bytes.
	if (normalised.length > maxUrlBytes) {
		throw new InputError(`url ${quoteUntrusted(raw, 40)} is ${normalised.length.toLocaleString('en')} bytes long once normalised, more than the ${maxUrlBytes.toLocaleString('en')} allowed `
			+ '(website.url_uq is a unique index, whose entries must fit in a third of a database page)');
	}

	return ownString(normalised);
}

function isDnsName(host: string): boolean {
	// A single trailing dot (fully qualified name) is legal DNS; any other empty label is not.
	const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
	return host.length <= 253 && labels.every(label => hostLabel.test(label));
}
