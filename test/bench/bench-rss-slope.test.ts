import test from 'ava';
import {rssSlopeMiBPerHour, type ProcessTreeUsage} from '../../source/bench/bench-process-sampler.js';

function usage(timeline: ProcessTreeUsage['timeline']): ProcessTreeUsage {
	return {cpuSeconds: 0, peakTreeRssBytes: 0, rootPeakRssBytes: 0, processes: 1, samples: timeline.length * 5, timeline};
}

/** One sample every 5 s for `seconds`, RSS from `rss(seconds)`. */
function run(seconds: number, rss: (at: number) => number): ProcessTreeUsage {
	return usage(Array.from({length: (seconds / 5) + 1}, (_, index) => [index * 5, rss(index * 5), 0] as const));
}

test('the RSS slope is measured after start-up, in MiB per hour', t => {
	// A start-up climb to 400 MiB in the first 10 minutes, then 12 MiB an hour for 50 minutes.
	const slope = rssSlopeMiBPerHour(run(3600, at => (at < 600 ? (at / 600) * 400 : 400 + ((at - 600) / 3600) * 12)));
	t.is(Math.round(slope! * 10) / 10, 12);
	t.is(rssSlopeMiBPerHour(run(3600, () => 250)), 0, 'flat is 0');
	// A sawtooth (garbage collection) without growth stays near 0.
	t.true(Math.abs(rssSlopeMiBPerHour(run(3600, at => 300 + ((at % 120) / 6)))!) < 1);
});

test('no slope for a run too short to show one', t => {
	t.is(rssSlopeMiBPerHour(run(300, at => at)), undefined);
	t.is(rssSlopeMiBPerHour(usage([])), undefined);
});
