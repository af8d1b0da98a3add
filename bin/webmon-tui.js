#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4 (also in the npm scripts): the engine allocates short-lived objects for
// every check, and V8's default 16 MiB semi-spaces let the main thread and each shard worker hold
// tens of MiB of young garbage. Measured with 100,000 sites on 2 workers: 1.3 GB RSS by default,
// 0.8 GB with 4 MiB semi-spaces, at the same checks/s. V8 flags are process-wide, so workers get it too.
// Plain JavaScript that any Node can parse, so an old Node gets a sentence instead of a stack trace.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
	process.stderr.write(`webmon-tui needs Node.js 24 or newer; this is Node.js ${process.versions.node}.\n`
		+ 'Run it through npm (npm start), which uses the Node 24 the project installs, or install Node 24.\n');
	process.exit(1);
}

const {main} = await import('../dist/cli.js');
let code;
try {
	code = await main();
} catch (error) {
	process.stderr.write(`webmon-tui: unexpected error: ${error?.stack ?? error}\n`);
	code = 1;
}

// Exit explicitly: idle keep-alive sockets or a database handle must not keep a finished run alive.
process.stdout.write('', () => process.exit(code));
