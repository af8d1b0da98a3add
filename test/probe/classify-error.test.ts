import test from 'ava';
import {errors} from 'undici';
import {failureStatus, type ErrorKind} from '../../source/engine/types.js';
import {classifyError, maxMessageLength, toSingleLine} from '../../source/probe/index.js';

/** An error shaped like Node's system errors: a message and a `code` (and maybe a `syscall`). */
function systemError(code: string, fields: Record<string, unknown> = {}): Error {
	const syscall = typeof fields.syscall === 'string' ? fields.syscall : 'read';
	return Object.assign(new Error(`${syscall} ${code}`), {code, ...fields});
}

const expected: Array<[string, ErrorKind, number]> = [
	['UND_ERR_CONNECT_TIMEOUT', 'connect_timeout', failureStatus.timeout],
	['UND_ERR_HEADERS_TIMEOUT', 'headers_timeout', failureStatus.timeout],
	['UND_ERR_BODY_TIMEOUT', 'body_timeout', failureStatus.timeout],
	['ENOTFOUND', 'dns', failureStatus.dns],
	['EAI_AGAIN', 'dns', failureStatus.dns],
	['EAI_NONAME', 'dns', failureStatus.dns],
	['EAI_FAIL', 'dns', failureStatus.dns],
	['EAI_NODATA', 'dns', failureStatus.dns],
	['ECONNREFUSED', 'refused', failureStatus.other],
	['ECONNRESET', 'reset', failureStatus.other],
	['EPIPE', 'reset', failureStatus.other],
	['UND_ERR_SOCKET', 'closed', failureStatus.other],
	['UND_ERR_CLOSED', 'closed', failureStatus.other],
	['EHOSTUNREACH', 'unreachable', failureStatus.other],
	['ENETUNREACH', 'unreachable', failureStatus.other],
	['EADDRNOTAVAIL', 'unreachable', failureStatus.other],
	['ERR_TLS_CERT_ALTNAME_INVALID', 'tls', failureStatus.other],
	['ERR_SSL_WRONG_VERSION_NUMBER', 'tls', failureStatus.other],
	['CERT_HAS_EXPIRED', 'tls', failureStatus.other],
	['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls', failureStatus.other],
	['SELF_SIGNED_CERT_IN_CHAIN', 'tls', failureStatus.other],
	['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls', failureStatus.other],
	['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls', failureStatus.other],
	['HOSTNAME_MISMATCH', 'tls', failureStatus.other],
	['HPE_INVALID_STATUS', 'bad_response', failureStatus.other],
	['UND_ERR_INFO', 'bad_response', failureStatus.other],
	['UND_ERR_HEADERS_OVERFLOW', 'bad_response', failureStatus.other],
	['Z_DATA_ERROR', 'bad_response', failureStatus.other],
	['ERR_SOMETHING_NEW', 'other', failureStatus.other],
];

for (const [code, kind, status] of expected) {
	test(`${code} is ${kind} (${status})`, t => {
		t.like(classifyError(systemError(code)), {errorKind: kind, httpStatusCode: status});
	});
}

test('ETIMEDOUT while connecting is a connect timeout; on an open socket a plain timeout', t => {
	t.like(classifyError(systemError('ETIMEDOUT', {syscall: 'connect'})), {errorKind: 'connect_timeout', httpStatusCode: 598});
	t.like(classifyError(systemError('ETIMEDOUT', {syscall: 'read'})), {errorKind: 'timeout', httpStatusCode: 598});
});

test('undici\'s own error classes are recognised, including parser errors that lack a code', t => {
	t.like(classifyError(new errors.HeadersTimeoutError()), {errorKind: 'headers_timeout'});
	t.like(classifyError(new errors.BodyTimeoutError()), {errorKind: 'body_timeout'});
	t.like(classifyError(new errors.ConnectTimeoutError()), {errorKind: 'connect_timeout'});
	t.like(classifyError(new errors.SocketError('other side closed')), {errorKind: 'closed'});
	t.like(classifyError(new errors.ResponseContentLengthMismatchError()), {errorKind: 'closed'});
	t.like(classifyError(new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol')), {errorKind: 'bad_response'});
});

test('the cause chain is walked', t => {
	const wrapped = new Error('request failed', {cause: new Error('lookup failed', {cause: systemError('ENOTFOUND', {syscall: 'getaddrinfo'})})});
	const outcome = classifyError(wrapped);
	t.like(outcome, {errorKind: 'dns', httpStatusCode: 530});
	t.is(outcome.errorMessage, 'request failed; lookup failed; getaddrinfo ENOTFOUND');
});

test('AggregateError members are walked and their messages kept', t => {
	const aggregate = new AggregateError([
		systemError('ECONNREFUSED', {syscall: 'connect ::1:80'}),
		systemError('ECONNREFUSED', {syscall: 'connect 127.0.0.1:80'}),
	], '');
	const outcome = classifyError(aggregate);
	t.like(outcome, {errorKind: 'refused', httpStatusCode: 555});
	t.is(outcome.errorMessage, 'connect ::1:80 ECONNREFUSED; connect 127.0.0.1:80 ECONNREFUSED');
});

test('the outermost recognised code wins over what it wraps', t => {
	const timeout = new errors.ConnectTimeoutError('Connect Timeout Error');
	timeout.cause = new AggregateError([systemError('ETIMEDOUT', {syscall: 'connect'}), systemError('ENETUNREACH')]);
	t.like(classifyError(timeout), {errorKind: 'connect_timeout'});
});

test('message text is never used to classify', t => {
	t.like(classifyError(new Error('ECONNREFUSED ENOTFOUND timeout certificate')), {errorKind: 'other', httpStatusCode: 555});
});

test('messages become one bounded line without NUL', t => {
	const nasty = Object.assign(new Error(`first\nsecond\r\n\0third\u001B[31m${'x'.repeat(1000)}`), {code: 'ECONNRESET'});
	const {errorMessage} = classifyError(nasty);
	t.false(errorMessage.includes('\0'));
	t.notRegex(errorMessage, /[\n\r\u001B]/);
	t.true(errorMessage.startsWith('first second third [31m'));
	t.is(errorMessage.length, maxMessageLength);
});

test('truncation never leaves half a surrogate pair', t => {
	const line = toSingleLine(`${'a'.repeat(8)}😀😀`, 10);
	t.is(line, line.toWellFormed());
	t.true(line.length <= 10);
});

test('odd throwables: cycles, strings, undefined, empty messages', t => {
	const first = Object.assign(new Error('first'), {code: 'UND_ERR_SOCKET'});
	const second = new Error('second', {cause: first});
	first.cause = second;
	t.like(classifyError(first), {errorKind: 'closed', errorMessage: 'first; second'});

	t.like(classifyError('boom'), {errorKind: 'other', errorMessage: 'boom'});
	t.like(classifyError(undefined), {errorKind: 'other', errorMessage: 'undefined'});
	t.like(classifyError(Object.assign(new Error(''), {code: 'ECONNRESET'})), {errorKind: 'reset', errorMessage: 'ECONNRESET'});
});
