import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {demoSites, startFleet} from './bench/fleet.js';
import {main} from './cli.js';
import {defaultDataDir} from './config/index.js';

/**
`npm run demo`: starts a loopback fleet of fake sites on 127.0.1.x (fast, slow, 500s, redirects,
hangs, resets, regex hits and misses) and monitors it, so a newcomer without internet sees the tool
work. Extra flags pass through: `npm run demo -- --no-tui --number-healthchecks 2`.
*/
const fleet = await startFleet({addresses: 4, portsPerAddress: 2});
const directory = await mkdtemp(path.join(tmpdir(), 'webmon-demo-'));
const csv = path.join(directory, 'demo-sites.csv');
await fleet.writeCsv(csv, demoSites(fleet));
process.stderr.write(`webmon-tui demo: ${fleet.origins.length} loopback origins, sites in ${csv}\n`);
const extra = process.argv.slice(2);
const args = ['--sites-csv', csv, ...extra];
if (extra.every(flag => !(flag.startsWith('--data-dir') || flag.startsWith('--db-config')))) {
	// The demo keeps its own embedded database so its fake sites never mix with the user's list.
	args.push('--data-dir', `${defaultDataDir()}-demo`);
}

let code = 1;
try {
	code = await main(args);
} finally {
	await fleet.close();
	await rm(directory, {recursive: true, force: true});
}

process.stdout.write('', () => process.exit(code));
