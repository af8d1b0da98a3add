import {sql, type CommonQueryMethods, type DatabasePool, type QuerySqlToken} from 'slonik';
import {z} from 'zod';
import {WebmonError} from '../errors.js';

/** One schema step. Released migrations are never edited: add a new one instead. */
type Migration = {
	readonly version: number;
	readonly name: string;
	/** One statement each: both drivers reject several statements in one query. */
	readonly statements: readonly QuerySqlToken[];
};

/**
Key for `pg_advisory_xact_lock`: instances that start together (several workers, several hosts on
one server) queue on it, so each migration runs exactly once. PGlite accepts the call too.
*/
const migrationLockKey = 7_041_990_001;

/** Tables the schema owns, in the order they can be dropped (referencing tables first). */
const ownedTables = ['healthcheck', 'website', 'webmon_schema_migrations'] as const;

const migrations: readonly Migration[] = [
	{
		version: 1,
		name: 'initial schema',
		statements: [
			// Names are the predecessor's, so its documented SQL keeps working.
			sql.unsafe`
				CREATE TABLE website (
					website_id serial PRIMARY KEY,
					url_uq text NOT NULL UNIQUE,
					"interval" integer NOT NULL CHECK ("interval" > 0),
					regex text,
					paused boolean NOT NULL DEFAULT false,
					created_at timestamptz NOT NULL DEFAULT now(),
					updated_at timestamptz NOT NULL DEFAULT now()
				)
			`,
			sql.unsafe`
				CREATE TABLE healthcheck (
					check_id bigserial PRIMARY KEY,
					website_fk integer NOT NULL REFERENCES website (website_id) ON DELETE CASCADE,
					request_timestamp timestamptz NOT NULL,
					response_time double precision NOT NULL,
					http_status_code integer NOT NULL,
					regex_match_status smallint NOT NULL CHECK (regex_match_status IN (0, 1, 2)),
					error_message text,
					scheduled_at timestamptz NOT NULL,
					error_kind text,
					final_url text
				)
			`,
			sql.unsafe`COMMENT ON COLUMN healthcheck.response_time IS 'seconds, like the predecessor'`,
			// The idempotency key: a replayed result (journal, retry after a lost ack) is ignored.
			sql.unsafe`CREATE UNIQUE INDEX healthcheck_website_scheduled_uq ON healthcheck (website_fk, scheduled_at)`,
			// "Last N checks of a site" without sorting the site's whole history.
			sql.unsafe`CREATE INDEX healthcheck_website_recent_idx ON healthcheck (website_fk, check_id DESC)`,
		],
	},
	{
		version: 2,
		name: 'healthcheck sent_at',
		statements: [
			// Nullable, no default: adding it rewrites nothing, and rows from before it stay NULL.
			sql.unsafe`ALTER TABLE healthcheck ADD COLUMN sent_at timestamptz`,
			sql.unsafe`
				COMMENT ON COLUMN healthcheck.sent_at IS
				'when the request (its first hop) was written to a connected socket; lateness is sent_at - scheduled_at; NULL when no request was sent (DNS, connect or TLS failure, skipped slot)'
			`,
		],
	},
];

/** The newest schema version this build knows. */
export const latestSchemaVersion = Math.max(...migrations.map(migration => migration.version));

const migrationsTableDdl = sql.unsafe`
	CREATE TABLE IF NOT EXISTS webmon_schema_migrations (
		version integer PRIMARY KEY,
		name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)
`;

async function lockMigrations(connection: CommonQueryMethods): Promise<void> {
	await connection.query(sql.unsafe`SELECT pg_advisory_xact_lock(${migrationLockKey})`);
}

/**
Brings the schema up to date. Each migration runs in its own transaction under the advisory lock
and is recorded in `webmon_schema_migrations`; running it again applies nothing. Returns the names
of the migrations it applied, e.g. `['1 initial schema']`.
*/
export async function migrate(pool: DatabasePool): Promise<{applied: string[]}> {
	const applied: string[] = [];
	for (const migration of migrations) {
		const label = `${migration.version} ${migration.name}`;
		let didApply: boolean;
		try {
			didApply = await pool.transaction(async transaction => {
				await lockMigrations(transaction);
				await transaction.query(migrationsTableDdl);
				const newest = await transaction.oneFirst(sql.type(z.object({newest: z.number().nullable()}))`
					SELECT max(version) AS newest FROM webmon_schema_migrations
				`);
				if (newest !== null && newest > latestSchemaVersion) {
					throw new WebmonError(
						'SCHEMA_TOO_NEW',
						`the database schema is version ${newest}, newer than this webmon-tui knows (${latestSchemaVersion}); upgrade webmon-tui`,
					);
				}

				const done = await transaction.exists(sql.unsafe`
					SELECT 1 FROM webmon_schema_migrations WHERE version = ${migration.version}
				`);
				if (done) {
					return false;
				}

				for (const statement of migration.statements) {
					await transaction.query(statement);
				}

				await transaction.query(sql.unsafe`
					INSERT INTO webmon_schema_migrations (version, name, applied_at)
					VALUES (${migration.version}, ${migration.name}, now())
				`);
				return true;
			});
		} catch (error) {
			if (error instanceof WebmonError) {
				throw error;
			}

			throw new WebmonError(
				'MIGRATION_FAILED',
				`schema migration ${label} failed: ${(error as Error).message.split('\n', 1)[0]}`,
				{cause: error},
			);
		}

		if (didApply) {
			applied.push(label);
		}
	}

	return {applied};
}

/**
Drops the tables this program owns (`--drop-tables`), under the migration lock so it cannot cut
into a concurrent migration. Returns the names it dropped, in drop order.
*/
export async function dropTables(pool: DatabasePool): Promise<string[]> {
	return pool.transaction(async transaction => {
		await lockMigrations(transaction);
		const dropped: string[] = [];
		for (const table of ownedTables) {
			const exists = await transaction.oneFirst(sql.type(z.object({exists: z.boolean()}))`
				SELECT to_regclass(${table}) IS NOT NULL AS exists
			`);
			if (!exists) {
				continue;
			}

			await transaction.query(sql.unsafe`DROP TABLE ${sql.identifier([table])}`);
			dropped.push(table);
		}

		return dropped;
	});
}
