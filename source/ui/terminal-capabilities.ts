import type {TerminalCapabilities} from './types.js';

/**
Decides the charset and colour once, from the environment, so the App can take them as props (and
tests can force them).

- ASCII when `TERM=dumb` or the effective locale (`LC_ALL`, else `LC_CTYPE`, else `LANG`, as POSIX
  orders them) does not name UTF-8: a C/POSIX locale over SSH shows box and block glyphs as mojibake.
  An unset locale is the C locale. Windows consoles take UTF-8 without a locale, so they stay Unicode.
- No colour when `NO_COLOR` is set to a non-empty value (no-color.org), `FORCE_COLOR=0`, or `TERM=dumb`.

The CLI never draws the UI on a `TERM=dumb` terminal (`chooseFrontEnd` runs headless there); the
rule stays for callers that render the App themselves.
*/
export function terminalCapabilities(
	env: Readonly<Record<string, string | undefined>>,
	platform = 'linux',
): TerminalCapabilities {
	const dumb = env.TERM === 'dumb';
	const locale = nonEmpty(env.LC_ALL) ?? nonEmpty(env.LC_CTYPE) ?? nonEmpty(env.LANG) ?? '';
	const utf8 = /utf-?8/i.test(locale) || (platform === 'win32' && locale === '');
	const noColor = nonEmpty(env.NO_COLOR) !== undefined || env.FORCE_COLOR === '0';
	return {
		charset: !dumb && utf8 ? 'unicode' : 'ascii',
		color: !dumb && !noColor,
	};
}

function nonEmpty(value: string | undefined): string | undefined {
	return value === undefined || value === '' ? undefined : value;
}
