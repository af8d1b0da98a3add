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

/** The origin a site's connections go to (its lane); the URL itself when it has none. */
export function originOf(url: string): string {
	const parsed = URL.parse(url);
	return parsed && parsed.origin !== 'null' ? parsed.origin : url;
}
