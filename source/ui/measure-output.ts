/**
Benchmark (not a test): how many bytes per second the live UI writes to a terminal while 10,000 sites
are checked, at 80x24 and 200x60. Runs a real engine on the real clock with a fake probe (no network)
and counts what Ink writes to a fake TTY.

	npx tsx source/ui/measure-output.ts [seconds=10] [sites=10000] [interval=10] [out.json]
*/
import {EventEmitter} from 'node:events';
import {writeFileSync} from 'node:fs';
import {Writable} from 'node:stream';
import {pathToFileURL} from 'node:url';
import {CheckEngine} from '../engine/check-engine.js';
import type {ProbeOutcome, SiteSpec} from '../engine/types.js';
import {renderApp} from './render-app.js';

/** A terminal-sized stdout that counts bytes and writes. */
class CountingTerminal extends Writable {
	readonly isTTY = true;
	bytes = 0;
	/** Frames: Ink wraps each in a synchronized-update pair on a TTY. */
	frames = 0;

	constructor(readonly columns: number, readonly rows: number) {
		super({decodeStrings: false});
	}

	override _write(chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
		const text = typeof chunk === 'string' ? chunk : String(chunk);
		this.bytes += Buffer.byteLength(text);
		this.frames += text.split('\u001B[?2026h').length - 1;
		callback();
	}
}

/** A stdin that accepts raw mode and never types. */
class SilentKeyboard extends EventEmitter {
	readonly isTTY = true;
	setRawMode() {
		return this;
	}

	setEncoding() {
		return this;
	}

	read() {
		return null;
	}

	ref() {
		return this;
	}

	unref() {
		return this;
	}
}

async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}

/** One measurement: warm up for one interval (every site checked once), then count for `seconds`. */
async function measure(columns: number, rows: number, seconds: number, siteCount: number, intervalSeconds: number) {
	// Deterministic pseudo-random latencies and a 2% failure rate, so rows keep changing.
	let seed = 42;
	const random = () => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return seed / 2_147_483_648;
	};

	const probe = async (): Promise<ProbeOutcome> => {
		const latency = 20 + Math.floor(random() * 400);
		await sleep(latency);
		const failed = random() < 0.02;
		return {httpStatusCode: failed ? 503 : 200, responseTimeMs: latency, regexMatchStatus: 2};
	};

	const sites: SiteSpec[] = Array.from({length: siteCount}, (_, index) => ({
		id: index + 1, url: `https://site-${index + 1}.example.com/health`, intervalSeconds,
	}));
	const engine = new CheckEngine({probe});
	engine.addSites(sites);
	engine.start();
	const stdout = new CountingTerminal(columns, rows);
	const handle = renderApp({
		monitor: engine,
		writerStatus: () => ({state: 'connected', queued: 0, written: engine.snapshot().totals.completed}),
		workers: 1,
		loadRecentChecks: async () => [],
		onQuit: () => undefined,
		onForceQuit: () => undefined,
	}, {stdout: stdout as unknown as NodeJS.WriteStream, stdin: new SilentKeyboard() as unknown as NodeJS.ReadStream});
	await sleep(intervalSeconds * 1000);
	const {bytes, frames} = stdout;
	const {completed} = engine.snapshot().totals;
	await sleep(seconds * 1000);
	const result = {
		terminal: `${columns}x${rows}`,
		sites: siteCount,
		seconds,
		checksPerSecond: Math.round((engine.snapshot().totals.completed - completed) / seconds),
		bytesPerSecond: Math.round((stdout.bytes - bytes) / seconds),
		framesPerSecond: Math.round(((stdout.frames - frames) / seconds) * 10) / 10,
	};
	handle.unmount();
	await engine.stop();
	return result;
}

/** Measures both terminal sizes and prints a table (and writes JSON to `out` when given). */
export async function measureOutput(seconds: number, siteCount: number, intervalSeconds: number, out?: string) {
	const results = [];
	for (const [columns, rows] of [[80, 24], [200, 60]] as const) {
		results.push(await measure(columns, rows, seconds, siteCount, intervalSeconds));
	}

	console.table(results);
	if (out) {
		writeFileSync(out, JSON.stringify(results, undefined, '\t') + '\n');
	}

	return results;
}

// Run only as a script: importing this module (a build, a coverage tool) must not start a benchmark.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const [seconds = '10', siteCount = '10000', interval = '10', out] = process.argv.slice(2);
	await measureOutput(Number(seconds), Number(siteCount), Number(interval), out);
}
