#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50 --liftoff-only
// V8 flags (also in the npm scripts; V8 flags are process-wide, so shard workers get them too).
// The engine allocates short-lived objects for every check, and V8 by default trades memory for
// fewer collections. Measured with 100,000 sites on 2 workers:
// --max-semi-space-size=4: 4 MiB young generation instead of 16 MiB per thread, 1.3 -> 0.8 GB RSS
//   at the same checks/s.
// --heap-growing-percent=50: the old generation may grow to 1.5x what survived the last full
//   collection before the next one (V8 picks up to 4x on its own), 0.78 -> 0.51 GB RSS for about
//   10% more CPU per check.
// --liftoff-only: WebAssembly runs on V8's baseline compiler only. Embedded PostgreSQL (PGlite) is
//   30 MB of WebAssembly, and optimising it in the background peaked at 0.72 GB RSS for a moment
//   after start-up (0.15 GB with this flag). It inserts ~18% slower (145k rather than 175k rows/s,
//   100x what 100,000 sites need); undici's HTTP parser showed no difference (39 us per request).
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

// Plain JavaScript that any Node can parse, so an old Node gets a sentence instead of a stack trace.
// An installed package runs on the `node` on PATH: the Node 24 the project pins is a dev dependency.
// Exit 2, "could not start" in source/exit-codes.ts, which this file cannot import before the check.
const major = Number(process.versions.node.split('.', 1)[0]);
if (major < 24) {
	process.stderr.write(`webmon-tui: needs Node.js 24 or newer, and ${process.execPath} is Node.js ${process.versions.node}; `
		+ 'install Node.js 24 and put it first on PATH (in a clone of the repository, npm start uses the Node 24 it installs)\n');
	process.exit(2);
}

// A clone installed with --ignore-scripts has no build (npm install and npm ci build through the
// prepare script), and the import below would fail with a stack trace.
if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
	process.stderr.write(`webmon-tui: not built (no ${fileURLToPath(new URL('../dist/cli.js', import.meta.url))}): run npm run build\n`);
	process.exit(2);
}

// What an error the program did not catch prints: a bug report, exit 1 (source/report-error.ts).
const {reportError} = await import('../dist/report-error.js');
const die = error => {
	const report = reportError(error);
	// Synchronous on files and pipes, so the report is out before the exit.
	process.stderr.write(report.text);
	process.exit(report.exitCode);
};

// Node raises an unhandled rejection as an uncaught exception, after `uncaughtExceptionMonitor`
// listeners (the TUI leaves the alternate screen there), so one listener sees both.
process.on('uncaughtException', die);

const {main, exitAfterOutput} = await import('../dist/cli.js');
// Main() reports its own errors and resolves with the exit code.
const code = await main();

// Exit explicitly: idle keep-alive sockets or a database handle must not keep a finished run alive.
exitAfterOutput(code);
