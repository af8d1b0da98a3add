import fs from 'node:fs';
import fsPromises, {type FileHandle} from 'node:fs/promises';
import {syncBuiltinESMExports} from 'node:module';
import path from 'node:path';

/**
Loaded into a CLI child process (`--import`) where a test cannot mount a small tmpfs: files under
`WEBMON_TEST_FULL_DISK` behave as on a full disk (every write fails with ENOSPC) while the file
`<that directory>.full` exists, as a tmpfs does once it is full. It covers what the program and
PGlite write with: `fs.writeSync` on descriptors from `fs.openSync` (PGlite's file system), and the
promise API's handles and `writeFile` (the journal, its marks, the site cache).
*/
const root = process.env.WEBMON_TEST_FULL_DISK;
if (root) {
	const flag = `${root}.full`;
	const isFull = () => fs.existsSync(flag);
	const under = (file: unknown) => typeof file === 'string' && path.resolve(file).startsWith(root + path.sep);
	const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write (simulated full disk)'), {code: 'ENOSPC', errno: -28, syscall: 'write'});
	const descriptors = new Set<number>();

	const {openSync, closeSync, writeSync} = fs;
	fs.openSync = ((file: fs.PathLike, ...rest: unknown[]) => {
		const descriptor = (openSync as (...arguments_: unknown[]) => number)(file, ...rest);
		if (under(file)) {
			descriptors.add(descriptor);
		}

		return descriptor;
	});
	fs.closeSync = (descriptor: number) => {
		descriptors.delete(descriptor);
		closeSync(descriptor);
	};

	fs.writeSync = ((descriptor: number, ...rest: unknown[]) => {
		if (descriptors.has(descriptor) && isFull()) {
			throw enospc();
		}

		return (writeSync as (...arguments_: unknown[]) => number)(descriptor, ...rest);
	});

	const {open, writeFile} = fsPromises;
	fsPromises.open = (async (file: fs.PathLike, ...rest: unknown[]) => {
		const handle = await (open as (...arguments_: unknown[]) => Promise<FileHandle>)(file, ...rest);
		if (under(file)) {
			for (const method of ['appendFile', 'write', 'writeFile'] as const) {
				const original = (handle[method] as (...arguments_: unknown[]) => Promise<unknown>).bind(handle);
				Object.defineProperty(handle, method, {
					async value(...arguments_: unknown[]) {
						if (isFull()) {
							throw enospc();
						}

						return original(...arguments_);
					},
				});
			}
		}

		return handle;
	});
	fsPromises.writeFile = (async (file: unknown, ...rest: unknown[]) => {
		if (under(file) && isFull()) {
			throw enospc();
		}

		return (writeFile as (...arguments_: unknown[]) => Promise<void>)(file, ...rest);
	}) as typeof fsPromises.writeFile;
	// Modules that imported these by name see the wrapped ones too.
	syncBuiltinESMExports();
}
