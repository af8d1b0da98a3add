/**
Everything the user configures: the sites CSV, the database (predecessor's JSON file, `DATABASE_URL`,
or embedded PGlite) and the site URL form shared by both.
*/
export {normalizeSiteUrl} from './normalize-url.js';
export {maxIntervalSeconds, parseIntervalSeconds, parseRegexField} from './site-fields.js';
export {parseSitesCsv, readSitesCsv, type SiteInput} from './sites-csv.js';
export {loadDbConfig, parseDbConfig} from './db-config.js';
export {
	defaultDataDir,
	defaultSslMode,
	isSslMode,
	pgliteTarget,
	postgresTarget,
	sslModes,
	sslOptionsFor,
	targetFromDatabaseUrl,
	type PostgresParts,
} from './database-target.js';
