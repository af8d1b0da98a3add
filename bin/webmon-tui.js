#!/usr/bin/env node
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
