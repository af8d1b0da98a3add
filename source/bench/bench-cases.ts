/**
Named benchmark cases (`--case NAME`): the scenarios of issue 10 (sites that share a host must not
delay or fail each other) as flag sets, so nobody has to remember them.
*/

/** The benchmark flags a case may set, as they would be written on the command line. */
export type BenchMatrixFlags = {
	readonly sizes?: string;
	readonly db?: string;
	readonly scheme?: string;
	readonly hang?: string;
	readonly 'connection-close'?: boolean;
	readonly interval?: string;
	readonly checks?: string;
	readonly workers?: string;
	readonly addresses?: string;
	readonly ports?: string;
	readonly 'sites-per-origin'?: string;
	readonly timeout?: string;
	readonly 'cpu-prof'?: boolean;
	readonly quick?: boolean;
};

/** One named case. */
export type BenchCase = {
	/** One line for the usage text: what it models and how long a run takes. */
	readonly summary: string;
	/** Its flags; flags given on the command line win over them. */
	readonly flags: BenchMatrixFlags;
};

const shared20k = {
	sizes: '20000',
	'sites-per-origin': '1000',
	interval: '5-60',
	hang: '1',
	timeout: '5',
	checks: '2',
} as const satisfies BenchMatrixFlags;

/**
The cases. A run lasts about checks × the longest interval after start-up: 2 × 60 s for the shared
cases (~930 checks/s offered), 20 × 10 s for one-host (~15 checks/s; every site checked about 20
times, so a host's hangs overlap its other sites' checks many times), 2 × 300 s for distinct-100k
(~1,400 checks/s).
*/
export const benchCases = {
	'shared-20k': {
		summary: '20,000 sites on 20 origins (1,000 each), intervals 5-60 s, 1% hanging, --timeout 5, HTTP (~2.5 min)',
		flags: {...shared20k, scheme: 'http'},
	},
	'shared-20k-https': {
		summary: 'shared-20k over HTTPS with Connection: close, a handshake per check (~2.5 min)',
		flags: {...shared20k, scheme: 'https', 'connection-close': true},
	},
	'one-host': {
		summary: '100 sites on one origin, intervals 5-10 s, 10% hanging, CLI\'s default timeout, 20 checks each (~3.5 min)',
		flags: {sizes: '100', 'sites-per-origin': '100', interval: '5-10', hang: '10', checks: '20', scheme: 'http'},
	},
	'distinct-100k': {
		summary: '100,000 sites over every origin, intervals 5-300 s, 10% hanging, --connection-close (~11 min)',
		flags: {sizes: '100000', interval: '5-300', hang: '10', 'connection-close': true, checks: '2', scheme: 'http'},
	},
} as const satisfies Record<string, BenchCase>;

/** A case's name. */
export type BenchCaseName = keyof typeof benchCases;

/** Every case's name, in the order of the usage text. */
export const benchCaseNames = Object.keys(benchCases) as BenchCaseName[];

/** The usage text's lines for the cases. */
export function benchCaseUsage(): string {
	const width = Math.max(...benchCaseNames.map(name => name.length));
	return benchCaseNames.map(name => `    ${name.padEnd(width)}  ${benchCases[name].summary}`).join('\n');
}
