/**
Regex sources shared by the sites file's URL fast path and the engine's origin key: both read URLs
already in WHATWG's canonical form and must agree on what that form is.
*/

/** 0-255 without a leading zero: how WHATWG writes each part of an IPv4 address. */
const ipv4Octet = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;

/** An IPv4 address as WHATWG writes it (`127.1`, `010.0.0.1` and `0x7f.0.0.1` are not). */
export const canonicalIpv4 = String.raw`(?:${ipv4Octet}\.){3}${ipv4Octet}`;
