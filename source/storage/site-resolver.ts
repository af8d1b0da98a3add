import {sql, type CommonQueryMethods} from 'slonik';
import {z} from 'zod';
import type {SiteDefinition} from './journal-record.js';

/**
Maps site URLs to `website_id`s for rows that do not carry a trusted id: rows replayed from a journal
(written by an earlier run, perhaps before the tables were dropped and recreated) and rows of a run
that started while its database was away (its sites had no ids yet).
*/
export type SiteResolver = {
	/** Remembers ids the database gave (after an upsert or a load). */
	remember(sites: Iterable<{readonly id: number; readonly url: string}>): void;
	/** The id of `url`, if known. */
	idFor(url: string): number | undefined;
	/**
	Finds the ids of `urls` that are not known yet, in one query; sites still missing are created from
	their definition when they have one. URLs that cannot be resolved stay unknown (their rows are
	dropped by the caller), and are not asked about again until `remember` learns something new.
	*/
	resolve(connection: CommonQueryMethods, urls: ReadonlyMap<string, SiteDefinition | undefined>): Promise<void>;
};

const idRow = z.object({website_id: z.number(), url_uq: z.string()});

/** Creates an empty resolver. */
export function createSiteResolver(): SiteResolver {
	const ids = new Map<string, number>();
	const unknown = new Set<string>();

	const lookUp = async (connection: CommonQueryMethods, urls: string[]) => {
		const rows = await connection.any(sql.type(idRow)`
			SELECT website_id, url_uq FROM website WHERE url_uq = ANY(${sql.array(urls, 'text')})
		`);
		for (const row of rows) {
			ids.set(row.url_uq, row.website_id);
		}
	};

	return {
		remember(sites) {
			for (const site of sites) {
				ids.set(site.url, site.id);
			}

			unknown.clear();
		},
		idFor: url => ids.get(url),
		async resolve(connection, urls) {
			const wanted = [...urls.keys()].filter(url => !ids.has(url) && !unknown.has(url));
			if (wanted.length === 0) {
				return;
			}

			await lookUp(connection, wanted);
			const creatable: Array<[string, number, string | null]> = [];
			for (const url of wanted) {
				const site = urls.get(url);
				if (!ids.has(url) && site) {
					// `website.interval` is whole seconds, at least 1, as sites-repository stores it.
					creatable.push([url, Math.min(2_147_483_647, Math.max(1, Math.round(site.intervalSeconds))), site.regex]);
				}
			}

			if (creatable.length > 0) {
				// DO NOTHING, not an update: a site stored since then keeps its own interval and regex.
				await connection.query(sql.unsafe`
					INSERT INTO website (url_uq, "interval", regex)
					SELECT * FROM ${sql.unnest(creatable, ['text', 'int4', 'text'])}
					ON CONFLICT (url_uq) DO NOTHING
				`);
				await lookUp(connection, creatable.map(([url]) => url));
			}

			for (const url of wanted) {
				if (!ids.has(url)) {
					unknown.add(url);
				}
			}
		},
	};
}
