import test from 'ava';
import type {CheckResult} from '../../source/engine/types.js';
import {formatCheckJson, formatCheckLine} from '../../source/headless/format-check-line.js';

const scheduledAt = Date.UTC(2026, 10, 24, 21, 20, 3, 100);

function result(overrides: Partial<CheckResult> = {}): CheckResult {
	return {
		siteId: 7,
		url: 'https://example.com:443',
		scheduledAt,
		requestedAt: scheduledAt + 20,
		httpStatusCode: 200,
		responseTimeMs: 123.44,
		regexMatchStatus: 1,
		...overrides,
	};
}

test('NDJSON carries sent_at right after scheduled_at, as an ISO time', t => {
	const line = formatCheckJson(result({sentAt: scheduledAt + 31}));
	const record = JSON.parse(line) as Record<string, unknown>;
	t.deepEqual(Object.keys(record).slice(0, 3), ['request_timestamp', 'scheduled_at', 'sent_at']);
	t.like(record, {
		request_timestamp: '2026-11-24T21:20:03.120Z',
		scheduled_at: '2026-11-24T21:20:03.100Z',
		sent_at: '2026-11-24T21:20:03.131Z',
		website_id: 7,
		http_status_code: 200,
		response_time_ms: 123.4,
		ok: true,
		error_kind: null,
	});
});

test('NDJSON sent_at is null when no request left, or the time is not one a Date can hold', t => {
	const unsent = [
		result({httpStatusCode: 555, errorKind: 'refused', errorMessage: 'connect ECONNREFUSED'}),
		result({httpStatusCode: 0, errorKind: 'skipped', responseTimeMs: 0}),
		result({httpStatusCode: 0, errorKind: 'host_busy', responseTimeMs: 0}),
		result({sentAt: NaN}),
		result({sentAt: 9e15}),
	];
	for (const entry of unsent) {
		const record = JSON.parse(formatCheckJson(entry)) as Record<string, unknown>;
		t.true('sent_at' in record);
		t.is(record.sent_at, null, JSON.stringify(entry));
	}
});

test('the text line keeps its format, and marks every no-verdict kind SKIP', t => {
	t.is(
		formatCheckLine(result({sentAt: scheduledAt + 31})),
		'2026-11-24T21:20:03.120Z UP   200   123 ms regex=ok   https://example.com:443',
	);
	for (const kind of ['skipped', 'client_busy', 'host_busy', 'worker_crash'] as const) {
		t.is(
			formatCheckLine(result({httpStatusCode: 0, errorKind: kind, responseTimeMs: 0, regexMatchStatus: 2})),
			`2026-11-24T21:20:03.120Z SKIP   0     0 ms regex=-    https://example.com:443 [${kind}]`,
		);
	}
});
