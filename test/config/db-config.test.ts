import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {inspect} from 'node:util';
import test from 'ava';
import {InputError} from '../../source/errors.js';
import {loadDbConfig, parseDbConfig} from '../../source/config/db-config.js';

const password = 's3cr3t-PASSWORD';
const valid = {
	db_type: 'postgresql',
	db_user: 'dba',
	db_pass: password,
	db_name: 'defaultdb',
	db_host: 'db.example.com',
	db_port: '5432',
	db_ssl: 'require',
};

/** Everything a careless CLI could print about an error: message, stack, cause chain, inspect. */
function everythingPrintable(error: unknown): string {
	const parts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current !== undefined && depth < 5; depth++) {
		parts.push(current instanceof Error ? String(current) : inspect(current), inspect(current, {depth: 5}));
		if (current instanceof Error) {
			parts.push(current.stack ?? '');
		}

		current = current instanceof Error ? current.cause : undefined;
	}

	return parts.join('\n');
}

function parseError(t: import('ava').ExecutionContext, text: string): InputError | undefined {
	return t.throws(() => parseDbConfig(text, 'secrets/db.json'), {instanceOf: InputError});
}

test('the predecessor format loads into a postgres target', t => {
	t.deepEqual(parseDbConfig(JSON.stringify(valid), 'secrets/db.json'), {
		kind: 'postgres',
		uri: 'postgres://dba@db.example.com:5432/defaultdb',
		password,
		sslMode: 'require',
		ssl: {rejectUnauthorized: false},
		describe: 'dba@db.example.com:5432/defaultdb',
		// What a configuration error names; the password's value never.
		settings: {
			user: 'db_user "dba" in secrets/db.json',
			password: 'db_pass in secrets/db.json',
			database: 'db_name "defaultdb" in secrets/db.json',
			host: 'db_host "db.example.com" in secrets/db.json',
		},
	});
});

test('secrets/db.example.json loads from disk', async t => {
	t.deepEqual(await loadDbConfig('secrets/db.example.json'), {
		kind: 'postgres',
		uri: 'postgres://postgres@127.0.0.1:5432/test',
		password: 'postgres',
		sslMode: 'disable',
		ssl: undefined,
		describe: 'postgres@127.0.0.1:5432/test',
		settings: {
			user: 'db_user "postgres" in secrets/db.example.json',
			password: 'db_pass in secrets/db.example.json',
			database: 'db_name "test" in secrets/db.example.json',
			host: 'db_host "127.0.0.1" in secrets/db.example.json',
		},
	});
});

test('numeric port, postgres alias, default sslmode, no password, BOM, odd characters encoded', t => {
	const target = parseDbConfig(`\uFEFF${JSON.stringify({
		db_type: 'postgres',
		db_user: 'app user',
		db_name: 'my/db',
		db_host: '::1',
		db_port: 6543,
	})}`, 'x.json');
	t.deepEqual(target, {
		kind: 'postgres',
		uri: 'postgres://app%20user@[::1]:6543/my%2Fdb',
		password: undefined,
		sslMode: 'prefer',
		ssl: {rejectUnauthorized: false},
		describe: 'app user@::1:6543/my/db',
		settings: {
			user: 'db_user "app user" in x.json',
			password: 'db_pass in x.json (not set)',
			database: 'db_name "my/db" in x.json',
			host: 'db_host "::1" in x.json',
		},
	});
});

test('every db_ssl value maps to its TLS options', t => {
	const ssl = (mode: string) => {
		const target = parseDbConfig(JSON.stringify({...valid, db_ssl: mode}), 'x.json');
		return target.kind === 'postgres' ? target.ssl : 'not postgres';
	};

	t.is(ssl('disable'), undefined);
	t.is(ssl('allow'), undefined);
	t.deepEqual(ssl('prefer'), {rejectUnauthorized: false});
	t.deepEqual(ssl('require'), {rejectUnauthorized: false});
	const verifyCa = ssl('verify-ca');
	t.true(typeof verifyCa === 'object' && verifyCa.rejectUnauthorized === true);
	t.is(typeof verifyCa === 'object' ? verifyCa.checkServerIdentity?.('db.example.com', {} as never) : 'x', undefined);
	t.deepEqual(ssl('verify-full'), {rejectUnauthorized: true});
});

const brokenFields: Array<[change: Record<string, unknown>, message: string]> = [
	[{db_type: 'mysql'}, 'secrets/db.json: unknown db_type "mysql" (expected postgresql)'],
	[{db_type: undefined}, 'secrets/db.json: db_type is missing'],
	[{db_port: 'abc'}, 'secrets/db.json: db_port "abc" is not a port number'],
	[{db_port: '0'}, 'secrets/db.json: db_port "0" is not a port number'],
	[{db_port: 70_000}, 'secrets/db.json: db_port 70000 is not a port number'],
	[{db_port: 5432.5}, 'secrets/db.json: db_port 5432.5 is not a port number'],
	[{db_port: ' 5432'}, 'secrets/db.json: db_port " 5432" is not a port number'],
	[{db_port: true}, 'secrets/db.json: db_port true is not a port number'],
	[{db_port: undefined}, 'secrets/db.json: db_port is missing'],
	[{db_ssl: 'on'}, 'secrets/db.json: db_ssl "on" is not one of disable, allow, prefer, require, verify-ca, verify-full'],
	[{db_host: ''}, 'secrets/db.json: db_host is empty'],
	[{db_host: undefined}, 'secrets/db.json: db_host is missing'],
	[{db_user: 42}, 'secrets/db.json: db_user must be a string'],
	[{db_name: undefined}, 'secrets/db.json: db_name is missing'],
	[{db_pass: 123_456}, 'secrets/db.json: db_pass must be a string'],
	[{db_pass: ['s3cr3t-PASSWORD']}, 'secrets/db.json: db_pass must be a string'],
	[
		{db_type: 'mysql', db_port: 'x', db_ssl: 'yes'},
		'secrets/db.json: unknown db_type "mysql" (expected postgresql); db_port "x" is not a port number; db_ssl "yes" is not one of disable, allow, prefer, require, verify-ca, verify-full',
	],
];

for (const [index, [change, message]] of brokenFields.entries()) {
	test(`rejects broken field #${index}: ${message}`, t => {
		const error = parseError(t, JSON.stringify({...valid, ...change}));
		t.is(error?.message, message);
		t.false(everythingPrintable(error).includes(password));
	});
}

const brokenJson: Array<[text: string, message: string]> = [
	['', 'secrets/db.json: not valid JSON: unexpected end of input'],
	['{"db_user": "dba", "db_pass": s3cr3t-PASSWORD}', 'secrets/db.json: not valid JSON: unexpected token (are all strings in double quotes?)'],
	['{"db_pass": "s3cr3t-PASSWORD",}', 'secrets/db.json: not valid JSON: expected double-quoted property name at line 1 column 31'],
	['{\n  "db_pass": "s3cr3t-PASSWORD"\n  "db_user": "dba"\n}', 'secrets/db.json: not valid JSON: expected \',\' or \'}\' after property value at line 3 column 3'],
	['{"db_pass": "s3cr3t-PASSWORD"', 'secrets/db.json: not valid JSON: expected \',\' or \'}\' after property value at line 1 column 30'],
	['{"db_pass": "s3cr3t-PASSWORD"} x', 'secrets/db.json: not valid JSON: unexpected non-whitespace character after the JSON value at line 1 column 32'],
	['"s3cr3t-PASSWORD"', 'secrets/db.json: expected a JSON object with db_type, db_user, db_pass, db_name, db_host, db_port, db_ssl'],
	['[]', 'secrets/db.json: expected a JSON object with db_type, db_user, db_pass, db_name, db_host, db_port, db_ssl'],
	['null', 'secrets/db.json: expected a JSON object with db_type, db_user, db_pass, db_name, db_host, db_port, db_ssl'],
];

for (const [index, [text, message]] of brokenJson.entries()) {
	test(`rejects broken JSON #${index}: ${message}`, t => {
		const error = parseError(t, text);
		t.is(error?.message, message);
		t.false(everythingPrintable(error).includes(password));
		t.false(everythingPrintable(error).includes('s3cr3t'));
	});
}

test('reading: missing file and the path as given', async t => {
	const error = await t.throwsAsync(loadDbConfig('secrets/no-such.json'), {instanceOf: InputError});
	t.is(error?.message, 'cannot read db config secrets/no-such.json: no such file or directory (ENOENT)');
});

test('reading: a broken file on disk never leaks its password', async t => {
	const directory = await mkdtemp(join(tmpdir(), 'webmon-db-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	const path = join(directory, 'db.json');
	await writeFile(path, JSON.stringify({...valid, db_port: 'abc', db_ssl: 'nope', db_type: 'x', db_user: 7}));
	const error = await t.throwsAsync(loadDbConfig(path), {instanceOf: InputError});
	t.true(error?.message.startsWith(`${path}: unknown db_type "x"`));
	t.false(everythingPrintable(error).includes(password));
	await writeFile(path, `{"db_pass": "${password}", oops}`);
	const second = await t.throwsAsync(loadDbConfig(path), {instanceOf: InputError});
	t.false(everythingPrintable(second).includes(password));
});
