import type {ConnectionOptions} from 'node:tls';
import type {ConnectionSetting, SslMode} from './types.js';

// One shared function so two targets built from the same config compare equal.
const acceptAnyHostName = (): undefined => undefined;

/**
TLS options for an asyncpg/libpq `sslmode`. `undefined` means plain TCP. For `prefer` this is the
first attempt; the caller falls back to plain TCP when the server refuses TLS. `base` (e.g. a CA
from the config) is kept, but the mode decides verification so a config cannot weaken verify-full.
*/
export function tlsOptionsForSslMode(mode: SslMode, base?: ConnectionOptions): ConnectionOptions | undefined {
	switch (mode) {
		case 'disable':
		case 'allow': {
			return undefined;
		}

		case 'prefer':
		case 'require': {
			// Libpq semantics: encrypted, but any certificate is accepted.
			return {...base, rejectUnauthorized: false};
		}

		case 'verify-ca': {
			// The chain must lead to a trusted CA; the host name is not compared.
			return {...base, rejectUnauthorized: true, checkServerIdentity: acceptAnyHostName};
		}

		case 'verify-full': {
			return {...base, rejectUnauthorized: true};
		}
	}
}

/**
Moves a password found in a connection URI out of it, so the URI can be handed to libraries that
might log it. The explicit password wins over one found in the URI.
*/
export function splitPassword(uri: string, password: string | undefined): {uri: string; password: string | undefined} {
	let parsed: URL;
	try {
		parsed = new URL(uri);
	} catch {
		return {uri, password};
	}

	if (!parsed.password) {
		return {uri, password};
	}

	const fromUri = decodeURIComponent(parsed.password);
	parsed.password = '';
	return {uri: parsed.toString(), password: password ?? fromUri};
}

/** Replaces every occurrence of `secret` in `text`. Secrets shorter than 3 characters are left. */
export function redactSecret(text: string, secret: string | undefined): string {
	if (!secret || secret.length < 3) {
		return text;
	}

	return text.split(secret).join('***');
}

const reasonsByCode: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset by the server',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed (temporary)',
	ETIMEDOUT: 'connection timed out',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	// SQLSTATE codes the server sends while refusing a session.
	'28P01': 'password authentication failed',
	'3D000': 'database does not exist',
	53_300: 'too many connections',
	'57P03': 'the server is starting up or shutting down',
};

/** Error codes found on `error`, its `cause` chain and (for AggregateError) its members. */
function errorCodes(error: unknown, depth = 0): string[] {
	if (depth > 5 || typeof error !== 'object' || error === null) {
		return [];
	}

	const codes: string[] = [];
	const {code, cause, errors} = error as {code?: unknown; cause?: unknown; errors?: unknown};
	if (typeof code === 'string') {
		codes.push(code);
	}

	codes.push(...errorCodes(cause, depth + 1));
	if (Array.isArray(errors)) {
		for (const member of errors) {
			codes.push(...errorCodes(member, depth + 1));
		}
	}

	return codes;
}

function errorMessages(error: unknown, depth = 0): string[] {
	if (depth > 5 || !(error instanceof Error)) {
		return [];
	}

	return [error.message, ...errorMessages(error.cause, depth + 1)];
}

/**
Codes that mean the settings are wrong, not the server down, and the settings each one blames. The
server answered and refused the password (28P01; it answers so for a role that does not exist too,
so as not to tell which roles do), the role, whether missing, not allowed to log in or without a
pg_hba.conf entry (28000), or the database (3D000); or the resolver says the host name does not
exist (ENOTFOUND; EAI_AGAIN, a resolver that did not answer, is an outage).
*/
const faultySettingsByCode: Readonly<Record<string, readonly ConnectionSetting[]>> = {
	'28P01': ['password', 'user'],
	28_000: ['user'],
	'3D000': ['database'],
	ENOTFOUND: ['host'],
};

/** What a configuration error found: the code that proves it and the settings to blame, likeliest first. */
export type ConfigurationFault = {
	readonly code: string;
	readonly settings: readonly ConnectionSetting[];
};

/**
The settings at fault when a connection attempt failed because of configuration; undefined when it
failed like an outage (refused, timed out, unreachable, reset), which a later attempt may outlast.
Decided by SQLSTATE and error code only.
*/
export function configurationFault(error: unknown): ConfigurationFault | undefined {
	for (const code of errorCodes(error)) {
		const settings = faultySettingsByCode[code];
		if (settings) {
			return {code, settings};
		}
	}

	return undefined;
}

/**
Pg reports a server that answers "N" to the SSLRequest only through this message; there is no code
to branch on.
*/
export function isTlsRefusedByServer(error: unknown): boolean {
	return errorMessages(error).some(message => message.includes('does not support SSL'));
}

/** A short, password-free reason for a failed connection attempt. */
export function describeConnectionFailure(error: unknown, password: string | undefined): string {
	const codes = errorCodes(error);
	for (const code of codes) {
		const reason = reasonsByCode[code];
		if (reason) {
			return reason;
		}

		if (/CERT|TLS|SSL/.test(code)) {
			return `TLS certificate rejected (${code})`;
		}
	}

	if (isTlsRefusedByServer(error)) {
		return 'the server does not support TLS';
	}

	const messages = errorMessages(error);
	if (messages.some(message => message.includes('timeout expired') || message.includes('connection timeout'))) {
		return 'connection timed out';
	}

	const first = messages.find(message => message.trim() !== '') ?? String(error);
	return redactSecret(first.split('\n', 1)[0]!, password);
}

/**
A copy of `error` safe to attach as a `cause`: message and code only, password removed. The
original is not kept because driver errors can hold the client configuration.
*/
export function sanitizedCause(error: unknown, password: string | undefined): Error {
	const message = error instanceof Error ? error.message : String(error);
	const cause = new Error(redactSecret(message, password));
	const [code] = errorCodes(error);
	if (code) {
		Object.assign(cause, {code});
	}

	return cause;
}
