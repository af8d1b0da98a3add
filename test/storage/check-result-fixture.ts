import type {CheckResult} from '../../source/engine/types.js';

/** A plausible successful check result; override any field. `requestedAt` defaults to scheduledAt + 5. */
export function checkResult(overrides: Partial<CheckResult> & {siteId: number; scheduledAt: number}): CheckResult {
	return {
		url: `https://site-${overrides.siteId}.example:443`,
		requestedAt: overrides.scheduledAt + 5,
		httpStatusCode: 200,
		responseTimeMs: 123,
		regexMatchStatus: 2,
		...overrides,
	};
}
