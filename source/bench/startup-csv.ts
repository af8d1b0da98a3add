import {createWriteStream} from 'node:fs';
import {Readable} from 'node:stream';
import {pipeline} from 'node:stream/promises';

/** Port 9 (discard) on 127.0.0.0/8: nothing listens there, so every check is a quick refusal. */
const closedPort = 9;

/**
The row of site `index` in a start-up benchmark's sites file: a loopback URL on a closed port, spread
over 62,500 addresses (as many origins as a real fleet has hosts), an interval of 1 to 24 hours so
few checks fall in the first seconds, and a regex on every tenth row, mostly plain words (as the
predecessor's lists have), sometimes with an alternation RE2 must compile.
*/
export function startupCsvRow(index: number): string {
	const address = `127.0.${1 + (index % 250)}.${1 + (Math.floor(index / 250) % 250)}`;
	const interval = 3600 + ((index * 7919) % 82_800);
	const url = `http://${address}:${closedPort}/site/${index}`;
	if (index % 10 !== 0) {
		return `${url},${interval}`;
	}

	return index % 100 === 0 ? `${url},${interval},"status: (ok|up) ${index % 997}"` : `${url},${interval},webmon word ${index % 997}`;
}

function * batches(rows: number): Generator<string> {
	for (let start = 0; start < rows; start += 10_000) {
		const lines: string[] = [];
		for (let index = start; index < Math.min(rows, start + 10_000); index++) {
			lines.push(startupCsvRow(index));
		}

		yield `${lines.join('\n')}\n`;
	}
}

/** Writes `rows` sites (see `startupCsvRow`) to `path`, streaming. */
export async function writeStartupCsv(path: string, rows: number): Promise<void> {
	await pipeline(Readable.from(batches(rows)), createWriteStream(path));
}
