import {canonicalIpv4} from '../text/url-patterns.js';
import type {Standing} from './check-queue.js';
import {isSuccess, type SiteView} from './site-state.js';
import {regexMatchStatus, type CheckResult, type SiteSpec} from './types.js';

/** Why a slot ended without asking its site (the `error_kind` of a no-verdict row). */
export type SlotSkip = 'skipped' | 'client_busy' | 'host_busy';

const skipMessage: Record<SlotSkip, string> = {
	skipped: 'previous check still running at the scheduled time',
	host_busy: 'not started before the next slot: every connection its host may have (--max-per-host) was busy',
	client_busy: 'not started before the next slot: every check slot of webmon-tui was busy',
};

/** The row of a slot that ended without asking the site. */
export function skippedSlot(spec: SiteSpec, slot: number, now: number, kind: SlotSkip): CheckResult {
	return {
		siteId: spec.id,
		url: spec.url,
		scheduledAt: slot,
		requestedAt: now,
		httpStatusCode: 0,
		responseTimeMs: 0,
		regexMatchStatus: regexMatchStatus.notChecked,
		errorKind: kind,
		errorMessage: skipMessage[kind],
	};
}

/** Where a site's next check queues in its host's lane (see `HostLanes`). */
export function standingOf(view: SiteView, suspectAfterTimeouts: number): Standing {
	if (view.consecutiveTimeouts >= suspectAfterTimeouts) {
		return 'suspect';
	}

	return view.last && isSuccess(view.last) ? 'good' : 'unknown';
}

// `scheme://host:port` of a normalised URL (`config/normalize-url.ts` always writes the port).
// A canonical IPv4 address, or a name whose last label has a letter and is not hex (`127.1`, `0x7f`
// and `010.0.0.1` are IPv4 to WHATWG, and go through it).
const canonicalHost = String.raw`(?:${canonicalIpv4}|(?:[\d\-_a-z]+\.)*(?!0x)[\d\-_]*[a-z][\d\-_a-z]*)`;
const normalisedOrigin = new RegExp(String.raw`^https?:\/\/${canonicalHost}:[1-9]\d*(?=[#/?]|$)`);
const defaultPorts: Readonly<Record<string, string>> = {'http:': '80', 'https:': '443'};

/**
The origin a site's connections go to (its lane), as `scheme://host:port` with the port always
written; the URL itself when it has none. Normalised URLs are read without a parser (a million
sites start in one pass); anything else goes through the WHATWG parser to the same form.
*/
export function originOf(url: string): string {
	const plain = normalisedOrigin.exec(url);
	if (plain) {
		return plain[0];
	}

	const parsed = URL.parse(url);
	if (!parsed || parsed.origin === 'null') {
		return url;
	}

	return `${parsed.protocol}//${parsed.hostname}:${parsed.port || defaultPorts[parsed.protocol] || ''}`;
}
