import process from 'node:process';
import meow from 'meow';
import {findArgvProblem} from './cli-argv.js';
import {parseStorageBounds} from './config/storage-bounds.js';
import {errorExitCodes} from './exit-codes.js';
import {exitCodesHelp} from './exit-codes-help.js';
import {chooseFrontEnd} from './front-end-choice.js';
import {reportError} from './report-error.js';
import {runMonitor} from './run-monitor.js';
import {guardProcessOutput} from './shutdown/process-output.js';
import {sanitizeForTerminal} from './text/sanitize.js';

export {exitAfterOutput} from './shutdown/process-output.js';

const help = `
	Usage
	  $ webmon-tui [--sites-csv FILE | --sites-table] [options]

	Sites
	  --sites-csv FILE            Sites to monitor, one per line: host[:port][/path],interval[,regex]
	                              (bare host means https). Rows are saved to the website table.
	  --csv-encoding ENCODING     Character encoding of the sites file (default utf-8), e.g. latin1,
	                              windows-1252, utf-16le; bytes that are not valid in it are an error
	  --sites-table               Monitor the sites stored in the website table

	Database (default: embedded PGlite in --data-dir; no server needed)
	  --db-config FILE            PostgreSQL settings as JSON (db_type, db_user, db_pass, db_name,
	                              db_host, db_port, db_ssl); DATABASE_URL works too
	  --data-dir DIR              PGlite directory (default $XDG_DATA_HOME/webmon-tui
	                              or ~/.local/share/webmon-tui)
	  --drop-tables               Drop webmon-tui's tables first (asks nothing)
	  --journal-max-mb MB         Bound on the journal of results waiting for the database (default
	                              1024: about 5 million results, an hour of 100,000 sites)
	  --memory-max-results N      Results kept in memory only while the journal cannot take them
	                              (disk full, read-only or failing, or at --journal-max-mb; default
	                              50000). At N, checks hold until the journal or database take more

	Checks
	  --number-healthchecks N     Checks per site, then exit 0 once all are stored (-1 = forever; default)
	  --timeout SECONDS           Deadline for one check, redirects and body included (default 10)
	  --max-concurrency N         Upper bound for the adaptive concurrency limit (default: none)
	  --max-per-host N            Connections to one host (scheme, host, port) at once (default 16).
	                              Each host gets what its due checks need, up to N; paths that time
	                              out share a quarter of it. 16 checks 1,000 paths of one API every
	                              30 s on time and stays below what servers treat as abuse. With
	                              --workers W, each worker gets N/W (at least 1).
	  --workers N                 Threads running checks, each over its own share of the sites
	                              (0 = on the main thread; default: none up to 50 checks/s, then
	                              one per 500 checks/s, at most one per core)

	Output
	  --no-tui                    Headless: one line per check on stdout, a summary every 10 s on stderr
	                              (also when stdout is not a terminal, CI is set, or TERM=dumb)
	  --format text|ndjson        Headless line format (default text)

	Examples
	  $ webmon-tui --sites-csv data/websites_top15.csv
	  $ webmon-tui --db-config secrets/db.json --sites-table --no-tui --format ndjson
	  $ webmon-tui --db-config secrets/db.json --drop-tables

	Every result is journaled on disk until the database has it: a database that is down (even at
	start-up) or a crash loses nothing; the next run stores what is left. A full or failing disk is
	said at once; checks hold rather than make results nobody can keep. Wrong database settings
	(password, role, database name, host) are not an outage: the run does not start.

	Stopping: Ctrl-C, q, SIGTERM, SIGHUP, a closed terminal or a closed stdout (| head) finish the
	checks in flight and store every result; a second Ctrl-C/SIGTERM/SIGHUP aborts them (journaled).

${exitCodesHelp('\t')}
`;

// The flags, for meow and for the check before it; `valueName` is the placeholder `--help` shows.
const cliFlags = {
	sitesCsv: {type: 'string', valueName: 'FILE'},
	csvEncoding: {type: 'string', valueName: 'ENCODING', default: 'utf-8'},
	sitesTable: {type: 'boolean', default: false},
	dbConfig: {type: 'string', valueName: 'FILE'},
	dataDir: {type: 'string', valueName: 'DIR'},
	dropTables: {type: 'boolean', default: false},
	numberHealthchecks: {type: 'string', valueName: 'N', default: '-1'},
	timeout: {type: 'string', valueName: 'SECONDS', default: '10'},
	maxConcurrency: {type: 'string', valueName: 'N'},
	maxPerHost: {type: 'string', valueName: 'N'},
	workers: {type: 'string', valueName: 'N'},
	journalMaxMb: {type: 'string', valueName: 'MB'},
	memoryMaxResults: {type: 'string', valueName: 'N'},
	tui: {type: 'boolean', default: true},
	format: {type: 'string', valueName: 'text|ndjson', default: 'text'},
} as const;

/**
Parses argv, runs the monitor and returns the exit code. Never throws: an error that ends the run is
one line on stderr with its code from `errorExitCodes`, or a reported bug (exit 1).
*/
export async function main(argv = process.argv.slice(2)): Promise<number> {
	guardProcessOutput();
	// Every message is one line, and text from the user's files or arguments is as untrusted as a site's.
	const fail = (message: string) => {
		process.stderr.write(`webmon-tui: ${sanitizeForTerminal(message)}\n`);
		return errorExitCodes.INPUT_INVALID.exitCode;
	};

	const argvProblem = findArgvProblem(argv, cliFlags);
	if (argvProblem) {
		return fail(argvProblem);
	}

	const cli = meow(help, {
		importMeta: import.meta,
		argv,
		allowUnknownFlags: false,
		flags: cliFlags,
	});
	const {flags} = cli;

	if (cli.input.length > 0) {
		return fail(`unexpected argument "${cli.input[0]}" (see --help)`);
	}

	if (flags.sitesCsv && flags.sitesTable) {
		return fail('give either --sites-csv FILE or --sites-table, not both');
	}

	if (!flags.sitesCsv && !flags.sitesTable && !flags.dropTables) {
		return fail('nothing to monitor: give --sites-csv FILE or --sites-table (see --help)');
	}

	if (flags.format !== 'text' && flags.format !== 'ndjson') {
		return fail(`--format "${flags.format}" must be text or ndjson`);
	}

	const checks = Number(flags.numberHealthchecks);
	if (!Number.isInteger(checks) || (checks < 1 && checks !== -1)) {
		return fail(`--number-healthchecks "${flags.numberHealthchecks}" must be a positive integer or -1 (forever)`);
	}

	const timeout = Number(flags.timeout);
	if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 3600) {
		return fail(`--timeout "${flags.timeout}" must be a number of seconds between 0 and 3600`);
	}

	const maxConcurrency = flags.maxConcurrency === undefined ? undefined : Number(flags.maxConcurrency);
	if (maxConcurrency !== undefined && (!Number.isInteger(maxConcurrency) || maxConcurrency < 1)) {
		return fail(`--max-concurrency "${flags.maxConcurrency}" must be a positive integer`);
	}

	const maxPerHost = flags.maxPerHost === undefined ? undefined : Number(flags.maxPerHost);
	if (maxPerHost !== undefined && (!Number.isInteger(maxPerHost) || maxPerHost < 1 || maxPerHost > 1000)) {
		return fail(`--max-per-host "${flags.maxPerHost}" must be an integer from 1 to 1000`);
	}

	// Undefined: chosen from the fleet once the sites are loaded (workers/default-workers.ts).
	const workers = flags.workers === undefined ? undefined : Number(flags.workers);
	if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 64)) {
		return fail(`--workers "${flags.workers}" must be an integer from 0 to 64`);
	}

	const bounds = parseStorageBounds(flags);
	if (typeof bounds === 'string') {
		return fail(bounds);
	}

	// Interactive or headless is decided here, once (see chooseFrontEnd).
	const frontEnd = chooseFrontEnd({tui: flags.tui, stdoutIsTty: Boolean(process.stdout.isTTY), env: process.env});
	try {
		return await runMonitor({
			...bounds,
			sitesCsv: flags.sitesCsv,
			csvEncoding: flags.csvEncoding,
			sitesTable: flags.sitesTable,
			dbConfig: flags.dbConfig,
			databaseUrl: flags.dbConfig ? undefined : process.env.DATABASE_URL || undefined,
			dataDir: flags.dataDir,
			dropTables: flags.dropTables,
			numberHealthchecks: checks,
			timeoutSeconds: timeout,
			maxConcurrency,
			maxPerHost,
			workers,
			interactive: frontEnd.interactive,
			frontEndNotice: frontEnd.notice,
			format: flags.format,
			stdout: process.stdout,
			stderr: process.stderr,
			env: process.env,
		});
	} catch (error) {
		const report = reportError(error);
		process.stderr.write(report.text);
		return report.exitCode;
	}
}
