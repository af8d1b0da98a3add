import {parseArgs} from 'node:util';
import {quoteUntrusted} from './text/sanitize.js';

/** A flag as the CLI declares it for meow, plus the placeholder its help text shows for the value. */
export type FlagSpec = {
	readonly type: 'string' | 'boolean';
	/** `FILE`, `N`, `SECONDS`...: what a string flag's value is called in `--help`. */
	readonly valueName?: string;
};

const kebab = (camel: string) => camel.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/**
Finds the first flag meow would misread: an unknown flag (meow prints two bare lines and exits
itself), a flag given twice (meow throws) or a string flag without its value (meow gives an empty
string, or silently the default, so `--sites-csv` alone ended as "nothing to monitor"). Returns one
line for the user, or undefined. Flags are declared in camelCase, as meow takes them; `--help`,
`--version` and `--no-FLAG` are known.
*/
export function findArgvProblem(argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>): string | undefined {
	const known = new Map<string, FlagSpec>([['help', {type: 'boolean'}], ['version', {type: 'boolean'}]]);
	for (const [name, spec] of Object.entries(flags)) {
		// Meow also accepts the camelCase spelling.
		known.set(kebab(name), spec);
		known.set(name, spec);
	}

	const {tokens} = parseArgs({args: [...argv], strict: false, allowPositionals: true, allowNegative: true, tokens: true, options: stringOptions(known)});
	const seen = new Map<FlagSpec, string>();
	for (const token of tokens) {
		if (token.kind !== 'option') {
			continue;
		}

		const spec = known.get(token.name);
		if (!spec) {
			return `unknown flag ${quoteFlag(token.rawName)} (see --help)`;
		}

		// Meow throws (a stack trace) for a flag given twice: which one wins would be a guess.
		const earlier = seen.get(spec);
		if (earlier !== undefined) {
			return `${token.rawName} is given twice (${earlier} earlier); give it once`;
		}

		seen.set(spec, token.rawName);
		const usage = `${token.rawName} ${spec.valueName ?? 'VALUE'}`;
		if (spec.type === 'string' && (token.value === undefined || token.value === '')) {
			return `${token.rawName} needs a ${spec.valueName ?? 'value'}: ${usage}`;
		}

		// `--sites-csv --no-tui`: parseArgs takes the next flag as the value; a file named like one of
		// our flags is far less likely than a forgotten value.
		if (spec.type === 'string' && !token.inlineValue && token.value?.startsWith('--') && known.has(token.value.slice(2).split('=', 1)[0]!.replace(/^no-/, ''))) {
			return `${token.rawName} needs a ${spec.valueName ?? 'value'} before ${quoteFlag(token.value)}: ${usage}`;
		}
	}

	return undefined;
}

function stringOptions(known: ReadonlyMap<string, FlagSpec>) {
	const options: Record<string, {type: 'string' | 'boolean'}> = {};
	for (const [name, spec] of known) {
		options[name] = {type: spec.type};
	}

	return options;
}

function quoteFlag(raw: string): string {
	// A flag is what the user typed, but it may be pasted from anywhere: quote it only when it is odd.
	return /^-[\w-]+$/.test(raw) ? raw : quoteUntrusted(raw);
}
