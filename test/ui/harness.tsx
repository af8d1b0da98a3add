import {setTimeout as delay} from 'node:timers/promises';
import {render} from 'ink-testing-library';
import {CheckEngine, type EngineOptions, type MonitorHandle} from '../../source/engine/check-engine.js';
import type {PauseStore} from '../../source/engine/pause-store.js';
import type {ProbeOutcome, ProbeRequest, SiteSpec} from '../../source/engine/types.js';
import type {WriterStatus} from '../../source/storage/writer-status.js';
import {App} from '../../source/ui/app.js';
import type {AppProps, RecentCheck} from '../../source/ui/types.js';
import {FakeClock} from '../helpers/fake-clock.js';
import {waitFor as pollUntil} from '../helpers/wait-for.js';

/** Key sequences as a terminal sends them. */
export const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	pageUp: '\u001B[5~',
	pageDown: '\u001B[6~',
	home: '\u001B[H',
	end: '\u001B[F',
	enter: '\r',
	escape: '\u001B',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;

/** Real time, for Ink's escape-key timeout (armed on the key, before this wait). */

/** What a fake probe answers for one URL. */
export type FakeAnswer = Partial<ProbeOutcome> & {latencyMs?: number};

/** A probe that answers after `latencyMs` of fake time with `answer(url)`. */
export function fakeProbe(clock: FakeClock, answer: (url: string) => FakeAnswer = () => ({})) {
	return async (request: ProbeRequest): Promise<ProbeOutcome> => {
		const {latencyMs = 50, ...outcome} = answer(request.url);
		await clock.sleep(latencyMs);
		return {httpStatusCode: 200, responseTimeMs: latencyMs, regexMatchStatus: 2, ...outcome};
	};
}

/** `count` sites on loopback port 9 (never contacted: the probe is fake), ids from 1. */
export function siteSpecs(count: number, intervalSeconds = 10, url = (id: number) => `http://127.0.0.1:9/site/${id}`): SiteSpec[] {
	return Array.from({length: count}, (_, index) => ({id: index + 1, url: url(index + 1), intervalSeconds}));
}

/** A started engine on a fake clock. */
export function startEngine(specs: SiteSpec[], answer?: (url: string) => FakeAnswer, options: Partial<EngineOptions> = {}) {
	const clock = new FakeClock();
	// The sites share one fake host; its connection cap (HostLanes) is not what UI tests are about.
	const engine = new CheckEngine({probe: fakeProbe(clock, answer), clock, maxPerHost: 1_000_000, ...options});
	engine.addSites(specs);
	engine.start();
	return {clock, engine};
}

/** A command the App sent the monitor. */
export type MonitorCall = {readonly call: 'pause' | 'resume' | 'checkNow'; readonly ids: number[]};

/**
The App's view of `engine` (it only sees a MonitorHandle), recording every command in `calls` and
passing it on: tests assert on what the App asked the engine to do, and when.
*/
export function recordingMonitor(engine: CheckEngine): {monitor: MonitorHandle; calls: MonitorCall[]} {
	const calls: MonitorCall[] = [];
	const monitor: MonitorHandle = {
		snapshot: () => engine.snapshot(),
		onChange: listener => engine.onChange(listener),
		async pause(ids) {
			calls.push({call: 'pause', ids: [...ids]});
			return engine.pause(ids);
		},
		async resume(ids) {
			calls.push({call: 'resume', ids: [...ids]});
			return engine.resume(ids);
		},
		checkNow(id) {
			calls.push({call: 'checkNow', ids: [id]});
			return engine.checkNow(id);
		},
	};
	return {monitor, calls};
}

/** Records the callbacks the App makes to the CLI, and what the engine hands its pause store. */
export function recorder() {
	const calls = {
		stored: [] as Array<{ids: number[]; paused: boolean}>,
		loadRecentChecks: [] as number[],
		quit: 0,
		forceQuit: 0,
	};
	return calls;
}

/** A pause store that records what the engine hands it, as storage would store it. */
export function recordingPauseStore(calls: ReturnType<typeof recorder>): PauseStore {
	return async (sites, paused) => {
		calls.stored.push({ids: sites.map(site => site.id), paused});
		return 'stored';
	};
}

/** Default writer status for the header. */
export const writerStatus: WriterStatus = {state: 'connected', queued: 3, written: 120, journaled: 7};

/** Test props around `monitor`: callbacks record into `calls`. */
export function appProps(
	monitor: AppProps['monitor'],
	clock: {now(): number},
	calls: ReturnType<typeof recorder>,
	overrides: Partial<AppProps> = {},
): AppProps {
	return {
		monitor,
		clock,
		writerStatus: () => writerStatus,
		workers: 1,
		async loadRecentChecks(siteId: number): Promise<RecentCheck[]> {
			calls.loadRecentChecks.push(siteId);
			return [];
		},
		onQuit() {
			calls.quit++;
		},
		onForceQuit() {
			calls.forceQuit++;
		},
		charset: 'unicode',
		color: false,
		refreshMs: 20,
		...overrides,
	};
}

/**
Renders the App with ink-testing-library (the real Ink renderer) on a `columns` x `rows` terminal.
ink-testing-library's stdout claims 100 columns and no rows; the size is set on the instance and
announced with `resize`, as a terminal does.
*/
export async function renderApp(props: AppProps, size: {columns: number; rows: number} = {columns: 100, rows: 30}) {
	const app = render(<App {...props}/>);
	resize(app.stdout, size);
	// React applies the resize on its scheduler's next turn, which concurrent tests can delay. The App
	// always draws one line fewer than the terminal's rows.
	await waitFor(() => lines(app.lastFrame()).length === size.rows - 1
		&& lines(app.lastFrame()).every(line => [...line].length <= size.columns));
	return app;
}

/**
Polls `condition` every 5 ms of real time until it holds; throws after `timeoutMs`. The default is
generous: it only matters when the condition never holds, and a loaded CI machine renders slowly.
*/
export async function waitFor(condition: () => boolean, timeoutMs = 15_000, what?: () => string): Promise<void> {
	await pollUntil(condition, timeoutMs, {everyMs: 5, what});
}

/** Resizes ink-testing-library's fake stdout. */
export function resize(stdout: NodeJS.EventEmitter, size: {columns: number; rows: number}): void {
	Object.defineProperties(stdout, {
		columns: {value: size.columns, configurable: true},
		rows: {value: size.rows, configurable: true},
	});
	stdout.emit('resize');
}

/** Types `text` key by key, letting Ink parse each (an escape needs its 20 ms timeout). */
export async function press(stdin: {write(data: string): void}, ...sequence: string[]): Promise<void> {
	for (const key of sequence) {
		stdin.write(key);
		await delay(key === keys.escape ? 40 : 5);
	}
}

/** The frame's lines. */
export function lines(frame: string | undefined): string[] {
	return (frame ?? '').split('\n');
}

export {setTimeout as delay} from 'node:timers/promises';
