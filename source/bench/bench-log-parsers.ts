/**
Parsers for the three files a benchmark run leaves: the generated site list (CSV), the CLI's NDJSON
output and the fleet's request log. Tolerant: a bad line is skipped or counted, never thrown, since
a run that went wrong is exactly the one whose logs must still be read.
*/

/** One site of the generated list, as the CSV says. */
export type BenchSite = {
	readonly fleetId: number;
	readonly kind: string;
	readonly intervalSeconds: number;
};

/** One NDJSON line of the CLI, reduced to what the analysis needs. */
export type BenchCheck = {
	readonly fleetId: number;
	readonly scheduledAt: number;
	/** `request_timestamp`: when the engine handed the check to the prober (or recorded the skip). */
	readonly requestedAt: number;
	/**
	`sent_at`: when the request's first hop was written to the socket; undefined when the line has
	none (a build from before it, or a check that never wrote a request).
	*/
	readonly sentAt: number | undefined;
	/** `http_status_code`; undefined when the line has none. */
	readonly httpStatusCode: number | undefined;
	readonly errorKind: string | null;
	readonly ok: boolean;
};

/** One request as the fleet logged it. */
export type BenchArrival = {
	readonly epochMs: number;
	readonly siteId: number;
	readonly kind: string;
};

const siteIdPattern = /\/s\/(\d+)\/([a-z]+)/;

/** Parses the generated CSV (`http://127.0.1.2:40123/s/12/ok,37[,"regex"]`). */
export function parseSitesCsv(text: string): BenchSite[] {
	const sites: BenchSite[] = [];
	for (const line of text.split('\n')) {
		const match = siteIdPattern.exec(line);
		if (!match) {
			continue;
		}

		const interval = Number(line.split(',', 2)[1]);
		sites.push({fleetId: Number(match[1]), kind: match[2]!, intervalSeconds: interval});
	}

	return sites;
}

/** Parses the CLI's NDJSON output; lines that are not a check record are counted, not thrown. */
export function parseNdjson(text: string): {checks: BenchCheck[]; malformed: number} {
	const checks: BenchCheck[] = [];
	let malformed = 0;
	for (const line of text.split('\n')) {
		if (line.length === 0) {
			continue;
		}

		try {
			const record = JSON.parse(line) as Record<string, unknown>;
			const match = siteIdPattern.exec(String(record.url));
			const scheduledAt = Date.parse(String(record.scheduled_at));
			const requestedAt = Date.parse(String(record.request_timestamp));
			if (!match || Number.isNaN(scheduledAt) || Number.isNaN(requestedAt)) {
				malformed++;
				continue;
			}

			// Null and absent both mean "no request written", as far as the analysis is concerned.
			const sentAt = typeof record.sent_at === 'string' ? Date.parse(record.sent_at) : NaN;
			checks.push({
				fleetId: Number(match[1]),
				scheduledAt,
				requestedAt,
				sentAt: Number.isNaN(sentAt) ? undefined : sentAt,
				httpStatusCode: typeof record.http_status_code === 'number' ? record.http_status_code : undefined,
				errorKind: typeof record.error_kind === 'string' ? record.error_kind : null,
				ok: record.ok === true,
			});
		} catch {
			malformed++;
		}
	}

	return {checks, malformed};
}

/** Parses the fleet's request log (`<epochMs>,<siteId>,<kind>` lines). */
export function parseFleetLog(text: string): BenchArrival[] {
	const arrivals: BenchArrival[] = [];
	for (const line of text.split('\n')) {
		const [epoch, id, kind] = line.split(',', 3);
		if (kind === undefined) {
			continue;
		}

		arrivals.push({epochMs: Number(epoch), siteId: Number(id), kind});
	}

	return arrivals;
}
