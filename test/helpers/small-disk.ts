import {execFile} from 'node:child_process';
import {mkdtemp, open, rm, rmdir, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {promisify} from 'node:util';
import type {ExecutionContext} from 'ava';

const run = promisify(execFile);

/** A small file system of its own for one test: a tmpfs, so it fills up for real. */
export type SmallDisk = {
	/** Where it is mounted. */
	readonly path: string;
	/** What a CLI child process on this disk needs in its environment. */
	readonly env: NodeJS.ProcessEnv;
	/** Takes every free byte, so the next write that needs space fails with ENOSPC. */
	fill(): Promise<void>;
	/** Gives back what `fill` took and grows the disk by `extraBytes`. */
	makeRoom(extraBytes?: number): Promise<void>;
};

/**
A tmpfs of `bytes` (see `mountSmallDisk`) where mounting is permitted (CI runs as root); elsewhere,
said in the test's log, a directory on which an injected file system fails every write with ENOSPC
while it is "full" (see full-disk-preload.ts). `WEBMON_TEST_NO_MOUNT=1` forces the second.
*/
export async function smallDisk(t: ExecutionContext, bytes: number, at?: string): Promise<SmallDisk> {
	const mounted = process.env.WEBMON_TEST_NO_MOUNT ? undefined : await mountSmallDisk(t, bytes, at);
	if (mounted) {
		return mounted;
	}

	t.log('no tmpfs: this test runs on an injected failing file system instead (test/helpers/full-disk-preload.ts)');
	const where = at ?? await mkdtemp(path.join(tmpdir(), 'webmon-full-disk-'));
	const flag = `${where}.full`;
	t.teardown(async () => {
		await rm(flag, {force: true});
		if (!at) {
			await rm(where, {recursive: true, force: true});
		}
	});
	const preload = pathToFileURL(path.join(import.meta.dirname, 'full-disk-preload.ts')).href;
	return {
		path: where,
		env: {NODE_OPTIONS: `--import tsx --import ${preload}`, WEBMON_TEST_FULL_DISK: where},
		fill: async () => writeFile(flag, ''),
		makeRoom: async () => rm(flag, {force: true}),
	};
}

/**
Mounts a tmpfs of `bytes` on `at` (an empty directory) or a fresh one, unmounted after the test.
Needs root; resolves undefined when mounting is not permitted.
*/
export async function mountSmallDisk(t: ExecutionContext, bytes: number, at?: string): Promise<SmallDisk | undefined> {
	const where = at ?? await mkdtemp(path.join(tmpdir(), 'webmon-small-disk-'));
	let size = Math.ceil(bytes / 4096) * 4096;
	try {
		await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', where]);
	} catch (error) {
		if (!at) {
			await rmdir(where);
		}

		t.log(`cannot mount a tmpfs (${(error as Error).message.split('\n', 1)[0]})`);
		return undefined;
	}

	t.teardown(async () => {
		// Lazily: a child process the test killed may still hold a file for a moment.
		await run('umount', ['-l', where]).catch(() => undefined);
		if (!at) {
			await rm(where, {recursive: true, force: true});
		}
	});
	const filler = path.join(where, 'filler');
	return {
		path: where,
		env: {},
		async fill() {
			const handle = await open(filler, 'a');
			try {
				// Big chunks first, then pages: tmpfs refuses a write it cannot fit whole only at the last page.
				for (const chunk of [Buffer.alloc(1 << 20), Buffer.alloc(4096)]) {
					for (;;) {
						try {
							await handle.appendFile(chunk);
						} catch (error) {
							if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
								break;
							}

							throw error;
						}
					}
				}
			} finally {
				await handle.close();
			}
		},
		async makeRoom(extraBytes = 0) {
			await rm(filler, {force: true});
			if (extraBytes > 0) {
				size += Math.ceil(extraBytes / 4096) * 4096;
				await run('mount', ['-o', `remount,size=${size}`, where]);
			}
		},
	};
}
