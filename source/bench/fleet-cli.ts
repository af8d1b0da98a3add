/**
Runs the loopback fleet until SIGINT or SIGTERM, after writing its site list as CSV:

	npx tsx source/bench/fleet-cli.ts --sites 1000 --csv /tmp/fleet.csv [--https] [--connection-close]
		[--log /tmp/log.csv] [--mix bench|demo] [--addresses 8] [--ports 4] [--interval 5-300]
		[--hang-percent 10] [--origins 20]

Prints `fleet ready` once the CSV is written, so a script can wait for that line.
*/
import process from 'node:process';
import {parseArgs} from 'node:util';
import {InputError} from '../errors.js';
import {fleetMixes, mixWithHangPercent, type FleetMixName} from './fleet-sites.js';
import {startFleet} from './fleet.js';

const usage = `usage: fleet-cli [--sites N] [--csv FILE] [--https] [--connection-close] [--log FILE]
                 [--mix bench|demo] [--addresses N] [--ports N] [--interval MIN-MAX]
                 [--hang-percent P] [--origins N]`;

function wholeNumber(value: string, flag: string): number {
	const number = Number(value);
	if (!Number.isSafeInteger(number) || number < 0) {
		throw new InputError(`--${flag}: "${value}" is not a whole number`);
	}

	return number;
}

function intervalRange(value: string): [number, number] {
	const match = /^(\d+)-(\d+)$/.exec(value);
	if (!match) {
		throw new InputError(`--interval: "${value}" is not MIN-MAX in seconds, e.g. 5-300`);
	}

	return [Number(match[1]), Number(match[2])];
}

function isMixName(value: string): value is FleetMixName {
	return Object.hasOwn(fleetMixes, value);
}

async function main(): Promise<void> {
	const {values} = parseArgs({
		options: {
			sites: {type: 'string'},
			csv: {type: 'string'},
			https: {type: 'boolean', default: false},
			'connection-close': {type: 'boolean', default: false},
			log: {type: 'string'},
			mix: {type: 'string', default: 'bench'},
			addresses: {type: 'string', default: '8'},
			ports: {type: 'string', default: '4'},
			interval: {type: 'string'},
			// The mix's own hang share replaced by this percentage (the benchmark's 10%-hang runs).
			'hang-percent': {type: 'string'},
			// Sites share this many origins (one per address first) instead of every origin served.
			origins: {type: 'string'},
			help: {type: 'boolean', short: 'h', default: false},
		},
		strict: true,
	});
	if (values.help) {
		console.log(usage);
		return;
	}

	const {mix} = values;
	if (!isMixName(mix)) {
		throw new InputError(`--mix: "${mix}" is not one of ${Object.keys(fleetMixes).join(', ')}`);
	}

	const hangPercent = values['hang-percent'];
	if (hangPercent !== undefined && (!/^\d+(?:\.\d+)?$/.test(hangPercent) || Number(hangPercent) > 100)) {
		throw new InputError(`--hang-percent: "${hangPercent}" is not a percentage from 0 to 100`);
	}

	const count = wholeNumber(values.sites ?? (mix === 'demo' ? '40' : '1000'), 'sites');
	const fleet = await startFleet({
		addresses: wholeNumber(values.addresses, 'addresses'),
		portsPerAddress: wholeNumber(values.ports, 'ports'),
		https: values.https,
		connectionClose: values['connection-close'],
		logFile: values.log,
	});
	const scheme = values.https ? 'https' : 'http';
	let sites;
	try {
		sites = fleet.sites({
			count,
			mix: hangPercent === undefined ? mix : mixWithHangPercent(fleetMixes[mix], Number(hangPercent)),
			scheme,
			...(values.interval !== undefined && {intervalSeconds: intervalRange(values.interval)}),
			...(values.origins !== undefined && {origins: wholeNumber(values.origins, 'origins')}),
		});
	} catch (error) {
		// Listening servers would keep the process alive after the error is printed.
		await fleet.close();
		throw error;
	}

	if (values.csv !== undefined) {
		await fleet.writeCsv(values.csv, sites);
		console.log(`sites: ${sites.length} written to ${values.csv}`);
	}

	const servers = fleet.origins.filter(origin => origin.scheme === scheme);
	const used = new Set(sites.map(site => new URL(site.url).origin)).size;
	console.log(`origins: ${servers.length} ${scheme} servers, e.g. ${servers[0]?.origin ?? 'none'}; the sites use ${used}`);
	if (fleet.caPath !== undefined) {
		console.log(`ca: ${fleet.caPath}`);
		console.log(`trust it with: NODE_EXTRA_CA_CERTS=${fleet.caPath}`);
	}

	if (values.log !== undefined) {
		console.log(`request log: ${values.log} (epochMs,siteId,kind)`);
	}

	console.log('fleet ready');

	const stop = async (signal: string) => {
		console.log(`${signal}: closing after ${fleet.requestCount()} requests`);
		await fleet.close();
	};

	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			stop(signal).catch((error: unknown) => {
				console.error(error);
				process.exitCode = 1;
			});
		});
	}
}

main().catch((error: unknown) => {
	if (error instanceof InputError || error instanceof RangeError || (error as {code?: string}).code?.startsWith('ERR_PARSE_ARGS')) {
		console.error(`fleet-cli: ${(error as Error).message}\n${usage}`);
		process.exitCode = 2;
		return;
	}

	console.error(error);
	process.exitCode = 1;
});
