import {homedir} from 'node:os';
import {join} from 'node:path';
import {inspect} from 'node:util';
import test from 'ava';
import {InputError} from '../../source/errors.js';
import {
	defaultDataDir,
	pgliteTarget,
	sslModes,
	sslOptionsFor,
	targetFromDatabaseUrl,
} from '../../source/config/database-target.js';

test('DATABASE_URL: password percent-decoded and moved out of the URI', t => {
	t.deepEqual(targetFromDatabaseUrl('postgres://dba:p%40ss%2Fw%3Ard%25@db.example.com:5433/app'), {
		kind: 'postgres',
		uri: 'postgres://dba@db.example.com:5433/app',
		password: 'p@ss/w:rd%',
		sslMode: 'prefer',
		ssl: {rejectUnauthorized: false},
		describe: 'dba@db.example.com:5433/app',
		// What a configuration error names; the password's value never.
		settings: {
			user: 'the user "dba" in DATABASE_URL',
			password: 'the password in DATABASE_URL',
			database: 'the database name "app" in DATABASE_URL',
			host: 'the host "db.example.com" in DATABASE_URL',
		},
	});
});

test('DATABASE_URL: sslmode honoured and removed, other parameters kept', t => {
	const target = targetFromDatabaseUrl('postgresql://u:pw@h/d?sslmode=verify-full&application_name=webmon');
	t.like(target, {
		kind: 'postgres',
		uri: 'postgres://u@h:5432/d?application_name=webmon',
		password: 'pw',
		sslMode: 'verify-full',
		ssl: {rejectUnauthorized: true},
		describe: 'u@h:5432/d',
	});
});

test('DATABASE_URL: every sslmode', t => {
	for (const mode of sslModes) {
		const target = targetFromDatabaseUrl(`postgres://u@h/d?sslmode=${mode}`);
		t.is(target.kind === 'postgres' ? target.sslMode : undefined, mode);
		t.deepEqual(target.kind === 'postgres' ? target.ssl : 'x', sslOptionsFor(mode));
	}
});

test('DATABASE_URL: no user, no password, no port, IPv6 host, encoded user', t => {
	t.deepEqual(targetFromDatabaseUrl('postgres://localhost/test?sslmode=disable'), {
		kind: 'postgres',
		uri: 'postgres://localhost:5432/test',
		password: undefined,
		sslMode: 'disable',
		ssl: undefined,
		describe: 'localhost:5432/test',
		settings: {
			user: 'the user in DATABASE_URL (not set)',
			password: 'the password in DATABASE_URL (not set)',
			database: 'the database name "test" in DATABASE_URL',
			host: 'the host "localhost" in DATABASE_URL',
		},
	});
	t.like(targetFromDatabaseUrl('postgres://some%20one:x@[::1]:6000/d'), {
		uri: 'postgres://some%20one@[::1]:6000/d',
		password: 'x',
		describe: 'some one@[::1]:6000/d',
	});
});

const badUrls: Array<[url: string, message: string]> = [
	['mysql://u:s3cr3t-PASSWORD@h/d', 'DATABASE_URL: unsupported scheme "mysql:" (expected postgres:// or postgresql://)'],
	['postgres://u:s3cr3t-PASSWORD@h/d?sslmode=on', 'DATABASE_URL: sslmode "on" is not one of disable, allow, prefer, require, verify-ca, verify-full'],
	['postgres://u:s3cr3t#PASSWORD@h/d', 'DATABASE_URL: not a valid URL (percent-encode special characters in the password, e.g. @ as %40)'],
	['postgres://u:s3cr3t-PASSWORD%zz@h/d', 'DATABASE_URL: password is not validly percent-encoded'],
	['s3cr3t-PASSWORD', 'DATABASE_URL: not a valid URL (percent-encode special characters in the password, e.g. @ as %40)'],
];

for (const [url, message] of badUrls) {
	test(`DATABASE_URL: rejects ${url}`, t => {
		const error = t.throws(() => targetFromDatabaseUrl(url), {instanceOf: InputError});
		t.is(error?.message, message);
		t.false(inspect(error, {depth: 5}).includes('s3cr3t'));
		t.false(String(error?.stack).includes('s3cr3t'));
	});
}

test('PGlite target and default data directory', t => {
	t.deepEqual(pgliteTarget('/tmp/x'), {kind: 'pglite', dataDir: '/tmp/x', describe: 'PGlite at /tmp/x'});
	t.is(defaultDataDir({XDG_DATA_HOME: '/data', HOME: '/home/u'}), '/data/webmon-tui');
	t.is(defaultDataDir({HOME: '/home/u'}), '/home/u/.local/share/webmon-tui');
	// The XDG spec says relative paths in XDG_DATA_HOME are invalid and must be ignored.
	t.is(defaultDataDir({XDG_DATA_HOME: 'relative', HOME: '/home/u'}), '/home/u/.local/share/webmon-tui');
	t.is(defaultDataDir({XDG_DATA_HOME: ''}), join(homedir(), '.local', 'share', 'webmon-tui'));
});
