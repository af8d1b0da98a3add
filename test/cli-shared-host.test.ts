import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'ava';
import {sql} from 'slonik';
import {z} from 'zod';
import {openDatabase} from '../source/storage/index.js';
import {backendKinds, createTestDatabase, registerPostgresNotice} from './helpers/database.js';
import {databaseFlags, runCli} from './helpers/run-cli.js';
import {httpServer} from './probe/loopback.js';

const storedRow = z.object({
	url_uq: z.string(),
	http_status_code: z.number(),
	error_kind: z.string().nullable(),
	scheduled_at: z.number(),
	sent_at: z.number().nullable(),
});

/**
The built CLI, as a user runs it, on one host with 50 paths: 10 never answer, 40 answer in 20 ms;
1 s interval, 2 s timeout. What is stored must say that every healthy path was up on every slot,
and when each request left, as the server saw it.
*/
for (const kind of backendKinds()) {
	test.serial(`[${kind}] one host, 10 of 50 paths hanging: every healthy slot is stored as 200, sent within it`, async t => {
		const arrivals = new Map<string, number[]>();
		const server = await httpServer((request, response) => {
			arrivals.set(request.url!, [...arrivals.get(request.url!) ?? [], Date.now()]);
			if (!request.url!.startsWith('/hang/')) {
				setTimeout(() => response.end('ok'), 20);
			}
		});
		const database = await createTestDatabase(kind);
		const directory = await mkdtemp(path.join(tmpdir(), 'webmon-shared-host-'));
		t.teardown(async () => {
			await server.close();
			await database.dispose();
			await rm(directory, {recursive: true, force: true});
		});
		const csv = path.join(directory, 'sites.csv');
		const paths = Array.from({length: 50}, (_, index) => `/${index % 5 === 0 ? 'hang' : 'ok'}/${index + 1}`);
		await writeFile(csv, paths.map(each => `${server.url(each)},1`).join('\n') + '\n');
		const run = await runCli(['--sites-csv', csv, ...await databaseFlags(database.target, directory), '--number-healthchecks', '8', '--timeout', '2', '--no-tui']);
		t.is(run.code, 0, run.stderr);

		const opened = await openDatabase(database.target);
		const rows = await opened.pool.any(sql.type(storedRow)`
			SELECT w.url_uq, h.http_status_code, h.error_kind,
				extract(epoch FROM h.scheduled_at)::float8 * 1000 AS scheduled_at,
				extract(epoch FROM h.sent_at)::float8 * 1000 AS sent_at
			FROM healthcheck h JOIN website w ON w.website_id = h.website_fk`);
		await opened.close();
		const healthy = rows.filter(row => row.url_uq.includes('/ok/'));
		t.is(healthy.length, 40 * 8, 'one row per slot of every healthy path');
		t.deepEqual(healthy.filter(row => row.http_status_code !== 200).map(row => `${row.url_uq} ${row.error_kind}`), [], 'none skipped, none down');
		// How late within its slot is the benchmark's to measure (as a bound it flakes under load). A check
		// that waited for a hanging path's connection would wait out its 2 s timeout, past its next slot.
		const lateness = healthy.map(row => row.sent_at! - row.scheduled_at);
		t.log(`stored lateness up to ${Math.max(...lateness).toFixed(1)} ms`);
		// The server saw each request after its stored send time and before the next slot.
		for (const row of healthy) {
			const arrived = arrivals.get(new URL(row.url_uq).pathname)!.find(at => at >= row.sent_at! - 5);
			t.true(arrived !== undefined && arrived < row.scheduled_at + 1000, `${row.url_uq}: sent ${row.sent_at}, arrived ${arrived}`);
		}

		const hanging = rows.filter(row => row.url_uq.includes('/hang/'));
		t.is(hanging.length, 10 * 8, 'hanging paths end as rows too');
		t.true(hanging.every(row => row.http_status_code === 598 || row.http_status_code === 0));
	});
}

registerPostgresNotice();
