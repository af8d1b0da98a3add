import {spawn} from 'node:child_process';
import http from 'node:http';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'ava';
import {countChecks, openDatabase} from '../source/storage/index.js';
import {binPath} from './helpers/run-cli.js';

test('the built CLI in a real pseudo-terminal: header, / filter, q drains and every result is stored', async t => {
	const hits = new Map<string, number>();
	const server = http.createServer((request, response) => {
		hits.set(request.url!, (hits.get(request.url!) ?? 0) + 1);
		response.end('fine');
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const directory = await mkdtemp(path.join(tmpdir(), 'webmon-tui-pty-'));
	t.teardown(async () => {
		server.closeAllConnections();
		server.close();
		await rm(directory, {recursive: true, force: true});
	});
	const csv = path.join(directory, 'sites.csv');
	await writeFile(csv, ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map(name => `${base}/${name},1`).join('\n') + '\n');
	const dataDir = path.join(directory, 'data');

	// tmux gives the CLI a real pseudo-terminal of a known size and shows the screen as a user sees it;
	// pipe-pane keeps the raw bytes so terminal modes can be checked too.
	const socket = `webmon-test-${process.pid}`;
	const raw = path.join(directory, 'raw.log');
	const exitFile = path.join(directory, 'exit-code');
	const stderrFile = path.join(directory, 'stderr.log');
	const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} --sites-csv ${JSON.stringify(csv)} --data-dir ${JSON.stringify(dataDir)} --workers 1 2>${JSON.stringify(stderrFile)}; echo $? > ${JSON.stringify(exitFile)}`;
	const {CI: _ci, DATABASE_URL: _url, TMUX: _tmux, ...env} = process.env;
	const tmux = async (...args: string[]) => new Promise<string>((resolve, reject) => {
		const child = spawn('tmux', ['-L', socket, ...args], {env: {...env, TERM: 'xterm-256color', LANG: 'C.UTF-8'}});
		let output = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			output += chunk;
		});
		child.on('error', reject);
		child.on('close', () => {
			resolve(output);
		});
	});
	t.teardown(async () => {
		await tmux('kill-server');
	});
	await tmux('new-session', '-d', '-x', '100', '-y', '30', `sleep 0.3; ${command}; sleep 30`);
	await tmux('pipe-pane', '-o', `cat >> ${JSON.stringify(raw)}`);
	const screen = async () => tmux('capture-pane', '-p');
	const waitFor = async (pattern: RegExp, what: string) => {
		let last = '';
		for (let waited = 0; waited < 20_000; waited += 100) {
			// eslint-disable-next-line no-await-in-loop
			last = await screen();
			if (pattern.test(last)) {
				return last;
			}

			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => {
				setTimeout(resolve, 100);
			});
		}

		t.fail(`no ${what} on screen:\n${last}`);
		return last;
	};

	const first = await waitFor(/sites 5: up 5/, 'header with all five sites up');
	t.regex(first, /alpha[\s\S]*bravo|bravo[\s\S]*alpha/, 'site rows listed');
	await tmux('send-keys', '/');
	await waitFor(/\/▏/, 'filter prompt');
	await tmux('send-keys', '-l', 'charl');
	const filtered = await waitFor(/1 of 5 match/, 'filter applied');
	t.regex(filtered, /charlie/);
	t.notRegex(filtered, /\/alpha|\/bravo|\/delta|\/echo/, 'other sites filtered out');
	await tmux('send-keys', 'Enter');
	await new Promise(resolve => {
		setTimeout(resolve, 300);
	});
	await tmux('send-keys', 'q');
	let code = '';
	for (let waited = 0; waited < 20_000 && code === ''; waited += 100) {
		// eslint-disable-next-line no-await-in-loop
		code = await readFile(exitFile, 'utf8').catch(() => '');
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => {
			setTimeout(resolve, 100);
		});
	}

	t.is(code.trim(), '0', 'clean exit');
	const bytes = await readFile(raw, 'utf8');
	t.true(bytes.includes('\u001B[?1049h'), 'alternate screen entered');
	t.true(bytes.includes('\u001B[?1049l'), 'alternate screen left');
	t.true(bytes.lastIndexOf('\u001B[?25h') > bytes.lastIndexOf('\u001B[?25l'), 'cursor shown again');
	t.regex(await readFile(stderrFile, 'utf8'), /stopped: \d+ results, \d+ stored this run/);

	const database = await openDatabase({kind: 'pglite', dataDir, describe: dataDir});
	try {
		t.is(await countChecks(database.pool), [...hits.values()].reduce((sum, count) => sum + count, 0), 'every check the server answered is a row');
	} finally {
		await database.close();
	}
});
