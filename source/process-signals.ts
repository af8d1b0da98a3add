import {monitorEventLoopDelay, performance, type EventLoopUtilization} from 'node:perf_hooks';
import type {ProcessSignals} from './engine/engine-types.js';

/**
Measures what the engine cannot see from inside (it has no `process`): event-loop delay p99 and how
busy this thread's event loop was since the previous call. Event-loop utilisation is per thread,
unlike `process.cpuUsage()` (whole process), so each worker's controller sees its own load; and one
event loop can use at most one core, so ELU is the CPU share that matters to it.
*/
export function createProcessSignals(): {measure: () => ProcessSignals; stop: () => void} {
	const resolutionMs = 10;
	const histogram = monitorEventLoopDelay({resolution: resolutionMs});
	histogram.enable();
	let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
	return {
		measure() {
			const elu = performance.eventLoopUtilization(lastElu);
			lastElu = performance.eventLoopUtilization();
			// The histogram counts the sampling resolution itself as delay; subtract it.
			const p99 = Math.max(0, (histogram.percentile(99) / 1e6) - resolutionMs);
			histogram.reset();
			return {
				eventLoopDelayP99Ms: Number.isFinite(p99) ? p99 : 0,
				cpuUtilisation: elu.utilization,
			};
		},
		stop() {
			histogram.disable();
		},
	};
}
