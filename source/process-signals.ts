import {monitorEventLoopDelay} from 'node:perf_hooks';
import type {ProcessSignals} from './engine/check-engine.js';

/**
Measures what the engine cannot see from inside (it has no `process`): event-loop delay p99 and CPU
use since the previous call, as a fraction of one core, since one event loop uses at most one core.
*/
export function createProcessSignals(): {measure: () => ProcessSignals; stop: () => void} {
	const histogram = monitorEventLoopDelay({resolution: 10});
	histogram.enable();
	let lastCpu = process.cpuUsage();
	let lastAt = performance.now();
	return {
		measure() {
			const cpu = process.cpuUsage(lastCpu);
			const now = performance.now();
			const elapsedMicros = Math.max(1, (now - lastAt) * 1000);
			lastCpu = process.cpuUsage();
			lastAt = now;
			// The histogram counts the sampling resolution itself as delay; subtract it.
			const p99 = Math.max(0, (histogram.percentile(99) / 1e6) - 10);
			histogram.reset();
			return {
				eventLoopDelayP99Ms: Number.isFinite(p99) ? p99 : 0,
				cpuUtilisation: (cpu.user + cpu.system) / elapsedMicros,
			};
		},
		stop() {
			histogram.disable();
		},
	};
}
