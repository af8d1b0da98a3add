import {readFile} from 'node:fs/promises';
import {z} from 'zod';
import {InputError} from '../errors.js';
import type {DatabaseTarget} from '../storage/types.js';
import {describeSystemError} from '../text/describe-system-error.js';
import {quoteUntrusted} from '../text/sanitize.js';
import {defaultSslMode, postgresTarget, settingNames, sslModes} from './database-target.js';

/*
The predecessor's db-config file, kept byte-compatible so old `secrets/*.json` files work:
{"db_type": "postgresql", "db_user": "dba", "db_pass": "123456", "db_name": "defaultdb",
 "db_host": "db.example.com", "db_port": "5432", "db_ssl": "require"}

Every message is built from our own text plus the values of fields that are not secret. `db_pass`
is never quoted, and neither JSON.parse's message (it quotes the text around the error) nor zod's
issues (they can carry the input) are kept as a cause.
*/

const quote = (value: unknown) => typeof value === 'string' ? quoteUntrusted(value) : (JSON.stringify(value) ?? String(value)).slice(0, 80);

const requiredString = (field: string) =>
	z.string({error: issue => issue.input === undefined ? `${field} is missing` : `${field} must be a string`})
		.refine(value => value !== '', {error: `${field} is empty`});

const configSchema = z.object({
	db_type: z.string({error: issue => issue.input === undefined ? 'db_type is missing' : 'db_type must be a string'})
		// `postgres` is what libpq and most URLs call it; accepting it costs nothing.
		.refine(value => value === 'postgresql' || value === 'postgres', {
			error: issue => `unknown db_type ${quote(issue.input)} (expected postgresql)`,
		}),
	db_user: requiredString('db_user'),
	// Optional: trust and peer authentication need none. The message must not show the value.
	db_pass: z.string({error: 'db_pass must be a string'}).optional(),
	db_name: requiredString('db_name'),
	db_host: requiredString('db_host'),
	// The predecessor wrote the port as a string; a JSON number is the obvious alternative.
	db_port: z.union([z.string(), z.number()], {
		error: issue => issue.input === undefined ? 'db_port is missing' : `db_port ${quote(issue.input)} is not a port number`,
	}).transform((value, context) => {
		const port = typeof value === 'number' ? value : (/^\d+$/.test(value) ? Number(value) : NaN);
		if (!Number.isInteger(port) || port < 1 || port > 65_535) {
			context.addIssue({code: 'custom', message: `db_port ${quote(value)} is not a port number`});
			return z.NEVER;
		}

		return port;
	}),
	db_ssl: z.enum(sslModes, {
		error: issue => `db_ssl ${quote(issue.input)} is not one of ${sslModes.join(', ')}`,
	}).default(defaultSslMode),
});

/**
Loads the predecessor's db-config JSON into a postgres target. `db_port` may be a string or a
number, `db_type` must be `postgresql` (or `postgres`), `db_ssl` defaults to `prefer` like libpq,
and `db_pass` may be absent.

@param path The path as the user gave it; messages quote it unchanged.
@throws {InputError} One line naming the file and the field(s), e.g.
`secrets/db.json: db_port "abc" is not a port number`. The password never appears in it.
*/
export async function loadDbConfig(path: string): Promise<DatabaseTarget> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		throw new InputError(`cannot read db config ${path}: ${describeSystemError(error)}`, {cause: error});
	}

	return parseDbConfig(text, path);
}

/**
Parses the text of a db-config file; `loadDbConfig` without the file system.

@param text The file's JSON text.
@param fileLabel Names the source in messages.
@throws {InputError} As `loadDbConfig`.
*/
export function parseDbConfig(text: string, fileLabel: string): DatabaseTarget {
	let json: unknown;
	try {
		json = JSON.parse(text.replace(/^\uFEFF/, ''));
	} catch (error) {
		throw new InputError(`${fileLabel}: not valid JSON${describeJsonError(error)}`);
	}

	if (typeof json !== 'object' || json === null || Array.isArray(json)) {
		throw new InputError(`${fileLabel}: expected a JSON object with db_type, db_user, db_pass, db_name, db_host, db_port, db_ssl`);
	}

	const result = configSchema.safeParse(json);
	if (!result.success) {
		// Our messages name their field; joining them tells the user everything in one pass.
		const messages = result.error.issues.map(issue => issue.message);
		throw new InputError(`${fileLabel}: ${messages.join('; ')}`);
	}

	const config = result.data;
	const parts = {user: config.db_user, password: config.db_pass, host: config.db_host, database: config.db_name};
	return postgresTarget({
		...parts,
		port: config.db_port,
		sslMode: config.db_ssl,
		settings: settingNames(fileLabel, {user: 'db_user', password: 'db_pass', database: 'db_name', host: 'db_host'}, parts),
	});
}

/**
Where and why JSON.parse failed, without the snippet of input V8 puts in some messages
(`Unexpected token 's', ..."db_pass": s3cr3t-PAS"...`), which could be the password.
*/
function describeJsonError(error: unknown): string {
	const message = error instanceof Error ? error.message : '';
	// V8's messages that carry a position are fixed text; only the snippet forms quote the input.
	const located = /^(.*?) (in|after) JSON at position \d+ \(line (\d+) column (\d+)\)$/.exec(message);
	if (located) {
		const [, reason = '', where, line, column] = located;
		const after = where === 'after' ? ' after the JSON value' : '';
		return `: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}${after} at line ${line} column ${column}`;
	}

	if (message.startsWith('Unexpected end of JSON input')) {
		return ': unexpected end of input';
	}

	if (message.startsWith('Unexpected token')) {
		return ': unexpected token (are all strings in double quotes?)';
	}

	return '';
}
