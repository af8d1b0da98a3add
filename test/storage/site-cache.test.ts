import {readdir} from 'node:fs/promises';
import test from 'ava';
import {loadSiteCache, saveSiteCache} from '../../source/storage/journal-directory.js';
import {notRun} from '../helpers/not-run.js';
import {mountSmallDisk} from '../helpers/small-disk.js';

const sites = Array.from({length: 25_000}, (_, index) => ({
	id: index + 1,
	url: `https://127.0.${index % 250}.1:443/site/${index}`,
	intervalSeconds: 30,
	...(index % 3 === 0 && {regex: 'ok|up'}),
	paused: index % 7 === 0,
}));

test('the site list is written in slices and reads back whole', async t => {
	const disk = await mountSmallDisk(t, 8 * 1024 * 1024);
	if (!disk) {
		notRun(t, 'mounting a tmpfs is not permitted here');
		return;
	}

	await saveSiteCache(disk.path, sites);
	const cache = await loadSiteCache(disk.path);
	t.deepEqual(cache?.sites, sites);
	t.deepEqual(await readdir(disk.path), ['sites.json']);
});

test('a disk that fills while the site list is written keeps no half-written file', async t => {
	const disk = await mountSmallDisk(t, 8 * 1024 * 1024);
	if (!disk) {
		notRun(t, 'mounting a tmpfs is not permitted here');
		return;
	}

	await disk.fill();
	await t.throwsAsync(saveSiteCache(disk.path, sites), {code: 'ENOSPC'});
	t.deepEqual((await readdir(disk.path)).filter(name => name !== 'filler'), [], 'no sites.json, no temporary file');
	t.is(await loadSiteCache(disk.path), undefined);
});
