import {readdir, readFile} from 'node:fs/promises';

/**
Samples a process tree from /proc (Linux only): CPU and memory of a process and every descendant,
so a CLI that forks shard workers is measured whole. Reading /proc costs the sampled process
nothing, unlike asking it to report on itself.
*/

/** What the sampler saw up to its last sample. */
export type ProcessTreeUsage = {
	/** CPU seconds (user + system) of the tree, including descendants that already exited. */
	readonly cpuSeconds: number;
	/** Largest sum of VmRSS over the tree at one sample, bytes. */
	readonly peakTreeRssBytes: number;
	/** VmHWM (peak resident set) of the root process, bytes. */
	readonly rootPeakRssBytes: number;
	/** Most processes seen in the tree at once. */
	readonly processes: number;
	readonly samples: number;
	/** Every 5th sample: seconds since the sampler started, tree RSS in MiB, CPU seconds so far. */
	readonly timeline: ReadonlyArray<readonly [seconds: number, rssMiB: number, cpuSeconds: number]>;
};

/** The true peak: VmHWM catches spikes between samples, the tree sum counts child processes. */
export function peakRssBytes(usage: ProcessTreeUsage): number {
	return Math.max(usage.peakTreeRssBytes, usage.rootPeakRssBytes);
}

/**
How fast the tree's RSS grew after start-up, MiB per hour: the least-squares slope of the timeline
past its first quarter (start-up and the first round of checks). Undefined for runs shorter than
10 minutes after that, where a slope says more about the checks' rhythm than about a leak.
*/
export function rssSlopeMiBPerHour(usage: ProcessTreeUsage): number | undefined {
	const end = usage.timeline.at(-1)?.[0] ?? 0;
	const points = usage.timeline.filter(([seconds]) => seconds >= end / 4);
	if (points.length < 3 || end - points[0]![0] < 600) {
		return undefined;
	}

	const meanT = points.reduce((sum, [seconds]) => sum + seconds, 0) / points.length;
	const meanR = points.reduce((sum, [, rss]) => sum + rss, 0) / points.length;
	let covariance = 0;
	let variance = 0;
	for (const [seconds, rss] of points) {
		covariance += (seconds - meanT) * (rss - meanR);
		variance += (seconds - meanT) ** 2;
	}

	return (covariance / variance) * 3600;
}

/** A running sampler. */
export type ProcessSampler = {
	/** Takes a last sample (if the process still exists) and stops. */
	stop(): Promise<ProcessTreeUsage>;
};

// USER_HZ is 100 on every Linux ABI Node runs on; /proc reports CPU in these ticks.
const ticksPerSecond = 100;

type ProcSample = {ticks: number; childTicks: number; rssBytes: number; hwmBytes: number};

async function children(pid: number): Promise<number[]> {
	// Each thread has its own list: a process forked from a worker thread is listed under that thread.
	const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
	const lists = await Promise.all(tasks.map(async task =>
		readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')));
	return lists.join(' ').split(/\s+/).filter(Boolean).map(Number);
}

async function tree(root: number): Promise<number[]> {
	const pids: number[] = [];
	const unvisited = [root];
	while (unvisited.length > 0) {
		const pid = unvisited.pop()!;
		pids.push(pid);
		unvisited.push(...await children(pid));
	}

	return pids;
}

async function sampleOne(pid: number): Promise<ProcSample | undefined> {
	try {
		const [stat, status] = await Promise.all([
			readFile(`/proc/${pid}/stat`, 'utf8'),
			readFile(`/proc/${pid}/status`, 'utf8'),
		]);
		// The command name (field 2) may hold spaces and parentheses; fields after the last ')' are fixed.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// Fields 14-17 of stat (utime, stime, cutime, cstime) are 11-14 here, counted from field 3.
		const ticks = Number(fields[11]) + Number(fields[12]);
		const childTicks = Number(fields[13]) + Number(fields[14]);
		const kb = (name: string) => Number(new RegExp(String.raw`^${name}:\s+(\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
		return {ticks, childTicks, rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM')};
	} catch {
		// Gone between listing and reading.
		return undefined;
	}
}

/** The process's descendants right now (for finding the real CLI under a wrapper shell). */
export async function descendantsOf(pid: number): Promise<number[]> {
	return (await tree(pid)).slice(1);
}

/** Samples the tree rooted at `pid` every `everyMs` until `stop()`. */
export function sampleProcessTree(pid: number, everyMs = 1000): ProcessSampler {
	let cpuTicks = 0;
	let peakTreeRssBytes = 0;
	let rootPeakRssBytes = 0;
	let processes = 0;
	let samples = 0;
	const timeline: Array<[number, number, number]> = [];
	const startedAt = Date.now();
	const sample = async () => {
		const pids = await tree(pid);
		const results = await Promise.all(pids.map(sampleOne));
		const root = results[0];
		if (!root) {
			return;
		}

		samples++;
		processes = Math.max(processes, results.filter(Boolean).length);
		let ticks = root.childTicks;
		let rss = 0;
		for (const result of results) {
			if (!result) {
				continue;
			}

			ticks += result.ticks;
			rss += result.rssBytes;
		}

		// Never backwards: a child that exits between samples leaves the sum until its parent reaps it.
		cpuTicks = Math.max(cpuTicks, ticks);
		peakTreeRssBytes = Math.max(peakTreeRssBytes, rss);
		rootPeakRssBytes = Math.max(rootPeakRssBytes, root.hwmBytes);
		if (samples % 5 === 1) {
			timeline.push([Math.round((Date.now() - startedAt) / 1000), Math.round(rss / 1_048_576), cpuTicks / ticksPerSecond]);
		}
	};

	let running = sample();
	const timer = setInterval(() => {
		running = running.then(sample);
	}, everyMs);
	return {
		async stop() {
			clearInterval(timer);
			await running;
			await sample();
			return {
				cpuSeconds: cpuTicks / ticksPerSecond,
				peakTreeRssBytes,
				rootPeakRssBytes,
				processes,
				samples,
				timeline,
			};
		},
	};
}
