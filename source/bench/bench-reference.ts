import {execFile} from 'node:child_process';
import path from 'node:path';
import {promisify} from 'node:util';
import {fleetTlsPaths} from './fleet-tls.js';

const execFileAsync = promisify(execFile);

/** What the reference loop measured on a run's fleet, just before the CLI ran on it. */
export type ReferenceLoop = {
	readonly seconds: number;
	readonly requests: number;
	readonly errors: number;
	readonly requestsPerSecond: number;
	/** CPU (user + system) per request: the floor the CLI's ms per check is divided by. */
	readonly cpuMsPerRequest: number;
};

/** Seconds the reference loop is measured for (after a second of warm-up). */
export const referenceSeconds = 10;

/**
Runs reference-loop-cli.js (a bare undici loop) against the fleet serving `csv`'s sites, one thread
as fast as it goes, and returns its CPU per request. Undefined (and a logged line) when it fails: the
run goes on without a ratio.
*/
export async function measureReferenceLoop(dist: string, csv: string, log: (line: string) => void, seconds = referenceSeconds): Promise<ReferenceLoop | undefined> {
	try {
		const {stdout} = await execFileAsync(process.execPath, [path.join(dist, 'bench', 'reference-loop-cli.js'), csv, String(seconds)], {
			env: {...process.env, NODE_EXTRA_CA_CERTS: fleetTlsPaths.ca},
			timeout: (seconds + 30) * 1000,
		});
		const measured = JSON.parse(stdout) as {requests: number; errors: number; cpuMs: number; wallMs: number};
		if (measured.requests === 0) {
			log('reference loop: no request completed');
			return undefined;
		}

		return {
			seconds: measured.wallMs / 1000,
			requests: measured.requests,
			errors: measured.errors,
			requestsPerSecond: measured.requests / (measured.wallMs / 1000),
			cpuMsPerRequest: measured.cpuMs / measured.requests,
		};
	} catch (error) {
		log(`reference loop failed: ${(error as Error).message}`);
		return undefined;
	}
}
