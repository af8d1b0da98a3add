import test from 'ava';
import {glyphsFor} from '../../source/ui/glyphs.js';
import {recentCheckLine} from '../../source/ui/recent-check-line.js';
import type {RecentCheck} from '../../source/ui/types.js';

const scheduledAt = Date.UTC(2026, 0, 1, 12, 30, 5);
const glyphs = glyphsFor('unicode');

function check(overrides: Partial<RecentCheck>): RecentCheck {
	return {checkId: 1, scheduledAt, requestedAt: scheduledAt + 40, responseTimeMs: 87, httpStatusCode: 200, regexMatchStatus: 2, ...overrides};
}

/** The LATE column of one check's line (columns 31-37: time 10, code 12, latency 6, a space after each). */
function late(entry: RecentCheck): string {
	return recentCheckLine(entry, 80, glyphs, 'unicode').slice(31, 38).trim();
}

test('lateness runs to when the request was sent, when that is known', t => {
	// Handed over 40 ms late, then 1.2 s waiting for a connection: the site was asked 1.24 s late.
	t.is(late(check({sentAt: scheduledAt + 1240})), '+1.24s');
	t.is(recentCheckLine(check({sentAt: scheduledAt + 1240}), 80, glyphs, 'unicode').trimEnd(), '12:30:05   200            87ms  +1.24s ·');
});

test('without a send time lateness runs to the hand-over, as before sent_at existed', t => {
	t.is(late(check({sentAt: null})), '+40ms');
	t.is(late(check({})), '+40ms');
	t.is(late(check({sentAt: null, httpStatusCode: 0, errorKind: 'client_busy', responseTimeMs: 0})), '+40ms');
});
