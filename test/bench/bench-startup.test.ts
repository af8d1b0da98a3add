import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'ava';
import {benchUsage, parseBenchOptions} from '../../source/bench/bench-options.js';
import {formatStartupTable} from '../../source/bench/bench-startup.js';
import {writeStartupCsv} from '../../source/bench/startup-csv.js';
import {parseSitesCsv} from '../../source/config/sites-csv.js';

test('--startup-rows runs the start-up benchmark alone, on every --db', t => {
	const options = parseBenchOptions(['--startup-rows', '1000000,200k'], {DATABASE_URL: 'postgres://x@127.0.0.1/y'});
	t.deepEqual(options.startupRows, [1_000_000, 200_000]);
	t.deepEqual(options.startupDbs, ['pglite', 'postgres']);
	t.deepEqual(options.matrix, []);
	t.deepEqual(parseBenchOptions(['--startup-rows', '10', '--db', 'pglite'], {}).startupDbs, ['pglite']);
	t.throws(() => parseBenchOptions(['--startup-rows', '10', '--db', 'postgres'], {}), {message: /needs DATABASE_URL/});
	t.regex(benchUsage, /--startup-rows LIST/);
});

test('the start-up sites file is valid input: loopback, a closed port, long intervals, some regexes', async t => {
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-startup-'));
	t.teardown(async () => rm(directory, {recursive: true, force: true}));
	const file = path.join(directory, 'sites.csv');
	await writeStartupCsv(file, 25_000);
	const sites = parseSitesCsv(await readFile(file, 'utf8'), file);
	t.is(sites.length, 25_000);
	t.true(sites.every(site => /^http:\/\/127\.\d+\.\d+\.\d+:9\/site\/\d+$/.test(site.url)));
	t.true(sites.every(site => site.intervalSeconds >= 3600 && site.intervalSeconds <= 86_400));
	t.is(sites.filter(site => site.regex !== undefined).length, 2500);
	t.is(new Set(sites.map(site => new URL(site.url).hostname)).size, 25_000, 'one origin a site up to 62,500');
});

test('the start-up table says whether the goal was met', t => {
	const text = formatStartupTable([
		{rows: 1_000_000, db: 'postgres', start: 'first', markerSeconds: 9.5, firstCheckSeconds: 12.25, peakRssMiB: 900, cpuSeconds: 20, exitCode: 0},
		{rows: 1_000_000, db: 'pglite', start: 'first', markerSeconds: undefined, firstCheckSeconds: undefined, peakRssMiB: 2000, cpuSeconds: 20, exitCode: 1},
	]);
	t.regex(text, /1,000,000\s+postgres\s+first\s+9\.5\s+12\.3\s+900\s+20\.0\s+MET/);
	t.regex(text, /pglite\s+first\s+-\s+-\s+2000\s+20\.0\s+missed \(time, memory\)/);
});
