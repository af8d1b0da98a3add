import test from 'ava';
import {percentile, RecentSample} from '../../source/engine/rolling-stats.js';

test('a sample answers nearest-rank percentiles of what it keeps, also after more values and after a clear', t => {
	const sample = new RecentSample(100);
	t.is(sample.percentile(99), 0, 'empty');
	for (let value = 100; value >= 1; value--) {
		sample.add(value);
	}

	t.is(sample.percentile(50), 50);
	t.is(sample.percentile(99), 99);
	t.is(sample.percentile(100), 100);
	// The ring keeps the last 100: adding 1000 twice drops 100 and 99.
	sample.add(1000);
	sample.add(1000);
	t.is(sample.percentile(99), 1000, 'a value added after a percentile was read counts');
	t.is(sample.percentile(50), 50, '1 to 98 and 1000 twice');
	sample.clear();
	t.is(sample.percentile(50), 0);
	sample.add(7);
	t.is(sample.percentile(50), 7);
	t.is(percentile([3, 1, 2], 50), 2);
});
