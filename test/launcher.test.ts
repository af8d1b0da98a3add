import {execFileSync, spawnSync} from 'node:child_process';
import {cpSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'ava';
import {notRun} from './helpers/not-run.js';
import {binPath} from './helpers/run-cli.js';

test('a clone that was never built says so in one line, exit 2', t => {
	const clone = mkdtempSync(path.join(tmpdir(), 'webmon-launcher-test-'));
	t.teardown(() => {
		rmSync(clone, {recursive: true, force: true});
	});
	cpSync(binPath, path.join(clone, 'bin', 'webmon-tui.js'));
	const result = spawnSync(process.execPath, [path.join(clone, 'bin', 'webmon-tui.js'), '--help'], {encoding: 'utf8'});
	t.is(result.status, 2, result.stderr);
	t.is(result.stderr, `webmon-tui: not built (no ${path.join(clone, 'dist', 'cli.js')}): run npm run build\n`);
});

test('a Node older than 24 gets one line saying which Node it needs, exit 2', t => {
	// The system Node, when it is older than the one running the tests; not every machine has one.
	const candidates = ['/usr/bin/node', '/usr/local/bin/node'];
	const old = candidates.find(candidate => {
		try {
			return Number(execFileSync(candidate, ['-p', 'process.versions.node.split(".")[0]'], {encoding: 'utf8'})) < 24;
		} catch {
			return false;
		}
	});
	if (!old) {
		notRun(t, `no Node older than 24 at ${candidates.join(' or ')}`);
		return;
	}

	const result = spawnSync(old, [binPath, '--help'], {encoding: 'utf8'});
	t.is(result.status, 2, result.stderr);
	t.regex(result.stderr, new RegExp(String.raw`^webmon-tui: needs Node\.js 24 or newer, and ${old} is Node\.js \d+\.\d+\.\d+; install Node\.js 24 [^\n]+\n$`));
});
