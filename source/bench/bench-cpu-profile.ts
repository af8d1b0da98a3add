import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';

/**
Reads V8 `.cpuprofile` files (what `node --cpu-prof` writes) and ranks functions by self time, so a
benchmark run can say where the CLI's CPU went without opening DevTools.
*/

/** One function's share of a profile. */
export type ProfileEntry = {
	/** `name (file:line)`, with node_modules paths shortened to the package. */
	readonly location: string;
	readonly selfMs: number;
	readonly percent: number;
};

/** A profile's top functions by self time. */
export type ProfileSummary = {
	readonly file: string;
	/** `main thread` or `thread N` (Node names profiles `CPU.<date>.<time>.<pid>.<threadId>.<seq>`). */
	readonly thread: string;
	readonly totalMs: number;
	/** Time the thread sat waiting for events; percentages are of the rest. */
	readonly idleMs: number;
	readonly top: readonly ProfileEntry[];
};

type CpuProfile = {
	readonly nodes: ReadonlyArray<{
		readonly id: number;
		readonly callFrame: {readonly functionName: string; readonly url: string; readonly lineNumber: number};
	}>;
	readonly samples?: readonly number[];
	readonly timeDeltas?: readonly number[];
};

function shortUrl(url: string, root: string): string {
	let file = url.startsWith('file://') ? url.slice('file://'.length) : url;
	const modules = file.lastIndexOf('/node_modules/');
	if (modules === -1) {
		const base = root.endsWith('/') ? root : `${root}/`;
		if (file.startsWith(base)) {
			file = file.slice(base.length);
		}
	} else {
		file = file.slice(modules + '/node_modules/'.length);
	}

	return file;
}

/**
Self time per function of one profile. `timeDeltas[i]` is the time before sample `i`, which
DevTools charges to the sample before it; summed over a whole run the difference is nil.
*/
export function summariseProfile(profile: CpuProfile, options: {top?: number; root?: string} = {}): {totalMs: number; idleMs: number; top: ProfileEntry[]} {
	const root = options.root ?? process.cwd();
	const frameOf = new Map<number, string>();
	for (const node of profile.nodes) {
		const {functionName, url, lineNumber} = node.callFrame;
		const name = functionName || '(anonymous)';
		frameOf.set(node.id, url ? `${name} (${shortUrl(url, root)}:${lineNumber + 1})` : name);
	}

	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	const selfUs = new Map<string, number>();
	let totalUs = 0;
	for (const [index, id] of samples.entries()) {
		const delta = Math.max(0, deltas[index + 1] ?? 0);
		const location = frameOf.get(id) ?? `node ${id}`;
		selfUs.set(location, (selfUs.get(location) ?? 0) + delta);
		totalUs += delta;
	}

	// Idle time says how much headroom the thread had, not where its work went: kept apart.
	const idleUs = selfUs.get('(idle)') ?? 0;
	selfUs.delete('(idle)');
	const busyUs = totalUs - idleUs;
	const top = [...selfUs]
		.sort((a, b) => b[1] - a[1])
		.slice(0, options.top ?? 15)
		.map(([location, us]) => ({
			location,
			selfMs: Math.round(us / 100) / 10,
			percent: busyUs > 0 ? Math.round((us / busyUs) * 1000) / 10 : 0,
		}));
	return {totalMs: Math.round(totalUs / 1000), idleMs: Math.round(idleUs / 1000), top};
}

function threadOf(file: string): string {
	const thread = /\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1];
	return thread === undefined ? 'thread ?' : (thread === '0' ? 'main thread' : `thread ${thread}`);
}

/** Summaries of every `.cpuprofile` in `directory`, busiest thread first. */
export async function summariseProfiles(directory: string, root: string, top = 15): Promise<ProfileSummary[]> {
	const files = (await readdir(directory).catch(() => [] as string[])).filter(file => file.endsWith('.cpuprofile'));
	const summaries: ProfileSummary[] = [];
	for (const file of files) {
		const fullPath = path.join(directory, file);
		const profile = JSON.parse(await readFile(fullPath, 'utf8')) as CpuProfile;
		summaries.push({file: fullPath, thread: threadOf(file), ...summariseProfile(profile, {top, root})});
	}

	return summaries.sort((a, b) => (b.totalMs - b.idleMs) - (a.totalMs - a.idleMs));
}

/** The summary as text lines, for the console. */
export function formatProfile(summary: ProfileSummary): string[] {
	const busy = (summary.totalMs - summary.idleMs) / 1000;
	const lines = [
		`cpu profile, ${summary.thread}: ${busy.toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s; top by self time (% of busy):`,
		`  ${summary.file}`,
	];
	for (const entry of summary.top) {
		lines.push(`  ${entry.percent.toFixed(1).padStart(5)}% ${String(Math.round(entry.selfMs)).padStart(8)} ms  ${entry.location}`);
	}

	return lines;
}
