import type {SiteSpec} from '../engine/types.js';

/**
Checks a second the main thread takes on itself, beside the database writer and the UI. A check
costs well under a millisecond of CPU, so 50 a second is a few percent of a core, and a worker
thread would cost more (its own V8 heap and HTTP client, ~30 MB) than it saves.
*/
export const mainThreadChecksPerSecond = 50;

/**
Checks a second one shard worker is given before another is added: about half of what one core
does with full TLS handshakes, so a worker has room for a burst (a restart puts every site's first
check into its first interval).
*/
export const checksPerSecondPerWorker = 500;

/**
Worker threads for a fleet when `--workers` is not given: none while the main thread checks the
fleet with room to spare (the 15 sample sites), else one per `checksPerSecondPerWorker` of offered
load, at most one per core. A fixed "one per core" cost 55 MB for 15 sites.
*/
export function defaultWorkers(sites: readonly SiteSpec[], cores: number): number {
	let perSecond = 0;
	for (const site of sites) {
		if (!site.paused) {
			perSecond += 1 / site.intervalSeconds;
		}
	}

	// Summed fractions drift (500 sites at 10 s add up to 50.0000000000004): a microcheck a second is noise.
	perSecond = Math.round(perSecond * 1e6) / 1e6;
	if (perSecond <= mainThreadChecksPerSecond) {
		return 0;
	}

	return Math.max(1, Math.min(cores, Math.ceil(perSecond / checksPerSecondPerWorker)));
}
