import type {SiteSpec} from '../engine/types.js';

/**
Checks a second the main thread takes on itself, beside the database writer and the UI. A check
costs well under a millisecond of CPU, so 50 a second is a few percent of a core, and a worker
thread would cost more (its own V8 heap and HTTP client, ~30 MB) than it saves.
*/
export const mainThreadChecksPerSecond = 50;

/**
Load one shard worker is given before another is added, in plain-HTTP checks a second; an HTTPS
check counts as `httpsCost` of them (a handshake when the server closes the connection).

Fewer threads cost less per check: a thread woken for each check pays the wake-up, cold caches and
its own garbage collector every time, and that, not the HTTP client, is most of a check's CPU at
the rates a monitor runs. Measured here with a bare undici loop (no engine) paced evenly: 0.91 ms of
CPU per request at 200 requests/s, 0.55 at 460, 0.38 at 926, 0.24 at 2,000, 0.20 flat out. The
20,000-site bench (926 checks/s) cost 0.97 ms per check on two workers and 0.80 on one. So a worker
takes as much as one core does with room for a burst (a restart puts every site's first check
into its first interval): about a third of what one thread does flat out.
*/
export const checksPerSecondPerWorker = 1500;

/** Plain-HTTP checks one HTTPS check is counted as: a full handshake costs ~5x a keep-alive request here. */
export const httpsCost = 4;

/**
Worker threads for a fleet when `--workers` is not given: none while the main thread checks the
fleet with room to spare (the 15 sample sites), else one per `checksPerSecondPerWorker` of offered
load, at most one per core. A fixed "one per core" cost 55 MB for 15 sites.
*/
export function defaultWorkers(sites: readonly SiteSpec[], cores: number): number {
	let perSecond = 0;
	let load = 0;
	for (const site of sites) {
		if (!site.paused) {
			perSecond += 1 / site.intervalSeconds;
			load += (site.url.startsWith('https:') ? httpsCost : 1) / site.intervalSeconds;
		}
	}

	// Summed fractions drift (500 sites at 10 s add up to 50.0000000000004): a microcheck a second is noise.
	perSecond = Math.round(perSecond * 1e6) / 1e6;
	if (perSecond <= mainThreadChecksPerSecond) {
		return 0;
	}

	return Math.max(1, Math.min(cores, Math.ceil(Math.round(load * 1e6) / 1e6 / checksPerSecondPerWorker)));
}
