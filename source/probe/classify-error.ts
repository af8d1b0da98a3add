import {errors as undiciErrors} from 'undici';
import {failureStatus, type ErrorKind} from '../engine/types.js';

/** A failure without a usable HTTP response, in the terms the database stores. */
export type ClassifiedError = {
	readonly errorKind: ErrorKind;
	/** 598 for timeouts, 530 for DNS failures, 555 for everything else (see `failureStatus`). */
	readonly httpStatusCode: number;
	/** One line, at most `maxMessageLength` characters, no NUL. Still untrusted remote text. */
	readonly errorMessage: string;
};

/** Longest `errorMessage` produced; the UI truncates further for display. */
export const maxMessageLength = 300;

const statusByKind: Readonly<Record<ErrorKind, number>> = {
	dns: failureStatus.dns,
	connect_timeout: failureStatus.timeout,
	headers_timeout: failureStatus.timeout,
	body_timeout: failureStatus.timeout,
	timeout: failureStatus.timeout,
	refused: failureStatus.other,
	reset: failureStatus.other,
	tls: failureStatus.other,
	redirect_loop: failureStatus.other,
	too_many_redirects: failureStatus.other,
	body_too_large: failureStatus.other,
	bad_response: failureStatus.other,
	closed: failureStatus.other,
	unreachable: failureStatus.other,
	skipped: 0,
	client_busy: 0,
	host_busy: 0,
	worker_crash: 0,
	other: failureStatus.other,
};

/** The status code stored for a failure of this kind. */
export function statusForKind(kind: ErrorKind): number {
	return statusByKind[kind];
}

const kindByCode: ReadonlyMap<string, ErrorKind> = new Map<string, ErrorKind>([
	['UND_ERR_CONNECT_TIMEOUT', 'connect_timeout'],
	['UND_ERR_HEADERS_TIMEOUT', 'headers_timeout'],
	['UND_ERR_BODY_TIMEOUT', 'body_timeout'],
	// `dns.lookup` (getaddrinfo) codes, plus the c-ares ones in case a custom resolver is plugged in.
	['ENOTFOUND', 'dns'],
	['EAI_AGAIN', 'dns'],
	['EAI_NONAME', 'dns'],
	['EAI_FAIL', 'dns'],
	['EAI_NODATA', 'dns'],
	['ENODATA', 'dns'],
	['ESERVFAIL', 'dns'],
	['ENONAME', 'dns'],
	['ECONNREFUSED', 'refused'],
	['ECONNRESET', 'reset'],
	['EPIPE', 'reset'],
	['ECONNABORTED', 'reset'],
	// Undici raises UND_ERR_SOCKET ("other side closed") when the peer ends the connection early.
	['UND_ERR_SOCKET', 'closed'],
	['UND_ERR_CLOSED', 'closed'],
	['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'closed'],
	['EHOSTUNREACH', 'unreachable'],
	['ENETUNREACH', 'unreachable'],
	['EADDRNOTAVAIL', 'unreachable'],
	['EHOSTDOWN', 'unreachable'],
	['ENETDOWN', 'unreachable'],
	['EPROTO', 'tls'],
	['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
	['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
	['HOSTNAME_MISMATCH', 'tls'],
	['INVALID_CA', 'tls'],
	['INVALID_PURPOSE', 'tls'],
	['PATH_LENGTH_EXCEEDED', 'tls'],
	['UND_ERR_INFO', 'bad_response'],
	['UND_ERR_HEADERS_OVERFLOW', 'bad_response'],
	['UND_ERR_RES_EXCEEDED_MAX_SIZE', 'bad_response'],
	['ERR_INVALID_HTTP_TOKEN', 'bad_response'],
	['ERR_INVALID_CHAR', 'bad_response'],
]);

// OpenSSL's verification errors and Node's TLS errors come in families too large to list.
const kindByCodePrefix: ReadonlyArray<readonly [string, ErrorKind]> = [
	['HPE_', 'bad_response'],
	// Zlib failures: the body claimed an encoding it did not have.
	['Z_', 'bad_response'],
	['ERR_TLS_', 'tls'],
	['ERR_SSL_', 'tls'],
	['ERR_OSSL_', 'tls'],
	['CERT_', 'tls'],
	['CRL_', 'tls'],
	['ERROR_IN_CERT_', 'tls'],
	['ERROR_IN_CRL_', 'tls'],
	['UNABLE_TO_', 'tls'],
];

/**
Names a failure from the `code`s on the error, its `cause` chain and any `AggregateError.errors`,
never from message text: messages change between Node and undici versions, codes do not.
The outermost recognised code wins, since wrappers such as undici's connect-timeout error are more
specific than what they wrap.
*/
export function classifyError(error: unknown): ClassifiedError {
	const errors = flattenErrors(error);
	let errorKind: ErrorKind = 'other';
	for (const candidate of errors) {
		const kind = kindOf(candidate);
		if (kind) {
			errorKind = kind;
			break;
		}
	}

	return {errorKind, httpStatusCode: statusByKind[errorKind], errorMessage: describeErrors(errors)};
}

/** Makes remote or error text storable: one line, no NUL or control characters, bounded length. */
export function toSingleLine(text: string, maxLength = maxMessageLength): string {
	let line = text.replaceAll(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').replaceAll(/ {2,}/g, ' ').trim();
	if (line.length > maxLength) {
		line = `${line.slice(0, maxLength - 1)}…`;
	}

	// Truncation may split a surrogate pair; PostgreSQL wants valid UTF-8.
	return line.toWellFormed();
}

function kindOf(error: object): ErrorKind | undefined {
	// Undici 8.13 builds parser errors with `code: undefined` (it indexes its name-to-number table by
	// number), so the class, branded with a registered symbol, is the stable mark here.
	if (error instanceof undiciErrors.HTTPParserError) {
		return 'bad_response';
	}

	const code = 'code' in error ? error.code : undefined;
	if (typeof code !== 'string') {
		return undefined;
	}

	if (code === 'ETIMEDOUT') {
		// Without `syscall: 'connect'` it is a read on an established socket that TCP gave up on.
		return 'syscall' in error && error.syscall === 'connect' ? 'connect_timeout' : 'timeout';
	}

	const exact = kindByCode.get(code);
	if (exact) {
		return exact;
	}

	for (const [prefix, kind] of kindByCodePrefix) {
		if (code.startsWith(prefix)) {
			return kind;
		}
	}

	return undefined;
}

/** The error, then its causes and aggregated errors, breadth first, each once. */
function flattenErrors(root: unknown): object[] {
	const seen = new Set<unknown>();
	const result: object[] = [];
	const queue: unknown[] = [root];
	// A hostile or buggy cause cycle must not hang the prober.
	while (queue.length > 0 && result.length < 32) {
		const current = queue.shift();
		if (typeof current !== 'object' || current === null || seen.has(current)) {
			continue;
		}

		seen.add(current);
		result.push(current);
		if ('cause' in current) {
			queue.push(current.cause);
		}

		if (current instanceof AggregateError && Array.isArray(current.errors)) {
			queue.push(...(current.errors as unknown[]));
		}
	}

	if (result.length === 0) {
		// Something that is not an object was thrown; keep its text.
		result.push(new Error(String(root)));
	}

	return result;
}

function describeErrors(errors: readonly object[]): string {
	const parts: string[] = [];
	for (const error of errors) {
		const message = 'message' in error && typeof error.message === 'string' ? error.message.trim() : '';
		if (message !== '' && parts.every(part => !part.includes(message))) {
			parts.push(message);
		}
	}

	if (parts.length === 0) {
		const first = errors[0];
		const code = first && 'code' in first && typeof first.code === 'string' ? first.code : undefined;
		parts.push(code ?? 'unknown error');
	}

	return toSingleLine(parts.join('; '));
}
