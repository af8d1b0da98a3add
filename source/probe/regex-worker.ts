import {parentPort} from 'node:worker_threads';
import {compilePattern} from './safe-regex.js';

/*
The thread behind `createRegexWorkerPool`: it decodes a body and matches one pattern on it, one job
at a time. It runs no timer of its own: a match that runs too long is stopped from outside by
terminating the whole thread, the only way to interrupt synchronous JavaScript.
*/

/** What the pool posts: the raw body bytes (usually transferred, not copied) and the pattern source. */
export type RegexJob = {
	/** Echoed in the reply, so a late answer from a job the pool gave up on is recognised. */
	readonly id: number;
	/** RE2 syntax; compiled here once per distinct pattern (the cache is per thread). */
	readonly pattern: string;
	/** Undecoded body bytes. */
	readonly body: Uint8Array;
};

/** Posted once, when the thread has loaded its modules and listens. */
export type RegexReady = {readonly ready: true};

/** What the thread answers for each job. */
export type RegexReply =
	| {readonly id: number; readonly matched: boolean}
	| {readonly id: number; readonly error: string};

// Lossy, as on the calling thread: a page in Latin-1 or with a cut multi-byte character can still match.
const decoder = new TextDecoder('utf-8', {fatal: false});

// Only a thread started by the pool has a parent port; importing this file elsewhere does nothing.
const port = parentPort;
port?.on('message', (job: RegexJob) => {
	let reply: RegexReply;
	try {
		reply = {id: job.id, matched: compilePattern(job.pattern).test(decoder.decode(job.body))};
	} catch (error) {
		// The calling thread compiled the same pattern first, so this is rare (e.g. out of memory).
		reply = {id: job.id, error: error instanceof Error ? error.message : String(error)};
	}

	port.postMessage(reply);
});
port?.postMessage({ready: true} satisfies RegexReady);
