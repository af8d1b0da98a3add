/** What the entry point knows when it picks the front end. */
export type FrontEndInput = {
	/** False when `--no-tui` was given. */
	readonly tui: boolean;
	/** `process.stdout.isTTY`. */
	readonly stdoutIsTty: boolean;
	readonly env: Readonly<Record<string, string | undefined>>;
};

/** The front end to run, and the line to say why when the UI was wanted but cannot be drawn. */
export type FrontEndChoice = {
	readonly interactive: boolean;
	/** One line for stderr (without the `webmon-tui: ` prefix), or undefined when nothing needs saying. */
	readonly notice?: string;
};

/**
Interactive or headless, decided once at the entry point. The UI needs a terminal on stdout, no CI
and no `--no-tui`; headless output is the intended form in every other case, so those say nothing.

A terminal that says `TERM=dumb` (Emacs's shell and compilation buffers, some IDE consoles) cannot
move the cursor, so the full-screen UI would arrive as a stream of escape sequences: run headless
and say so, since the user did not ask for it. An unset TERM is not taken as dumb: the terminals
that leave it unset (Windows consoles, `kubectl exec -it`, `env -i`) understand the ANSI sequences
Ink writes, and a terminal that cannot is the one place that sets TERM=dumb on purpose.
*/
export function chooseFrontEnd(input: FrontEndInput): FrontEndChoice {
	if (!input.tui || !input.stdoutIsTty || nonEmpty(input.env.CI)) {
		return {interactive: false};
	}

	if (input.env.TERM === 'dumb') {
		return {
			interactive: false,
			notice: 'TERM=dumb cannot draw the full-screen UI; running headless (one line per check). '
				+ 'Set TERM (e.g. xterm-256color) for the UI, or pass --no-tui to skip this line.',
		};
	}

	return {interactive: true};
}

function nonEmpty(value: string | undefined): boolean {
	return value !== undefined && value !== '';
}
