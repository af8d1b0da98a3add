import {createHash} from 'node:crypto';
import {writeFileSync} from 'node:fs';
import {open, readdir, readFile, rename, rm, rmdir} from 'node:fs/promises';
import path from 'node:path';
import type {SiteSpec} from '../engine/types.js';
import {InputError} from '../errors.js';
import {describeSystemError} from '../text/describe-system-error.js';
import {makeDirectories} from './make-directories.js';
import {lockDirectory, type DataDirLock} from './pglite-lock.js';
import type {DatabaseTarget} from './types.js';

/** Journal segments are named `<8-digit number>.v1.ndjson`; the number orders them. */
const segmentPattern = /^(\d{8})\.v1\.ndjson$/;

/**
Where the journal of `target` lives: `<dataDir>/journal/pglite` inside the PGlite directory itself
(PostgreSQL ignores directories it does not know, and the journal then moves with its database), or
`<dataDir>/journal/postgres-<hash>` for a server, one folder per `user@host:port/db` so that two
targets never mix their rows. `dataDir` is `--data-dir` (default `$XDG_DATA_HOME/webmon-tui`).
*/
export function journalDirectoryFor(target: DatabaseTarget, dataDir: string): string {
	if (target.kind === 'pglite') {
		return path.resolve(target.dataDir, 'journal', 'pglite');
	}

	const hash = createHash('sha256').update(target.describe).digest('hex').slice(0, 12);
	return path.resolve(dataDir, 'journal', `postgres-${hash}`);
}

/** A journal directory this process owns until `release`. */
export type JournalDirectory = {
	readonly path: string;
	/** Names of the segments found at open (left by an earlier run), oldest first. */
	readonly leftover: readonly string[];
	/** The file name of segment `number`. */
	segmentName(number: number): string;
	/** The number in a segment's name. */
	segmentNumber(name: string): number;
	/** Makes a new segment's directory entry durable (fsync of the directory). */
	syncDirectory(): Promise<void>;
	/** Removes the lock, and the directory itself when nothing but the site cache is left in it. */
	release(options?: {removeIfEmpty?: boolean}): Promise<void>;
};

/**
Creates (if needed) and locks a journal directory, so two processes never append to one journal.
`describe` is written to `target.txt` for whoever looks inside. Throws `InputError` when the
directory cannot be created and `DatabaseUnavailableError` when another live process holds it
(both exit 2).
*/
export async function openJournalDirectory(directory: string, describe: string): Promise<JournalDirectory> {
	try {
		makeDirectories(directory);
	} catch (error) {
		throw new InputError(`cannot create the journal directory ${directory} (choose another with --data-dir): ${describeSystemError(error)}`, {cause: error});
	}

	const lock: DataDirLock = lockDirectory(directory, {
		what: 'journal directory',
		alternative: 'give this instance its own --data-dir',
	});
	try {
		writeFileSync(path.join(directory, 'target.txt'), `${describe}\n`);
		const leftover = (await readdir(directory)).filter(name => segmentPattern.test(name)).sort();
		return {
			path: directory,
			leftover,
			segmentName: number => `${String(number).padStart(8, '0')}.v1.ndjson`,
			segmentNumber: name => Number(segmentPattern.exec(name)?.[1] ?? 0),
			async syncDirectory() {
				// Without it a power cut can lose a new segment's name even though its data was synced.
				const handle = await open(directory, 'r');
				try {
					await handle.sync();
				} catch {
					// Some file systems cannot fsync a directory; the data itself is still synced.
				} finally {
					await handle.close();
				}
			},
			async release(options = {}) {
				lock.release();
				if (options.removeIfEmpty) {
					const left = await readdir(directory).catch(() => ['?']);
					if (left.every(name => name === 'target.txt')) {
						await rm(path.join(directory, 'target.txt'), {force: true});
						await rmdir(directory).catch(() => undefined);
						// `journal/` itself, when this was its only target.
						await rmdir(path.dirname(directory)).catch(() => undefined);
					}
				}
			},
		};
	} catch (error) {
		lock.release();
		throw error;
	}
}

/** The last site list a run loaded from a server, for a later start while the server is away. */
export type SiteCache = {
	/** ISO time of the save. */
	readonly savedAt: string;
	readonly sites: SiteSpec[];
};

const siteCacheName = 'sites.json';

/** Sites per write of the site cache. */
const siteCacheSlice = 10_000;

/** Saves the site list next to the journal (write, then rename: never a half-written cache). */
export async function saveSiteCache(directory: string, sites: readonly SiteSpec[]): Promise<void> {
	const file = path.join(directory, siteCacheName);
	const temporary = `${file}.${process.pid}.tmp`;
	try {
		await writeSiteCache(temporary, sites);
	} catch (error) {
		// A full disk must not leave a half-written file behind, next to the journal it is filling.
		await rm(temporary, {force: true}).catch(() => undefined);
		throw error;
	}

	await rename(temporary, file);
}

async function writeSiteCache(temporary: string, sites: readonly SiteSpec[]): Promise<void> {
	const handle = await open(temporary, 'w');
	try {
		// Written a slice at a time: one JSON string of a million sites is 80 MB held at once.
		await handle.write(`{"savedAt":${JSON.stringify(new Date().toISOString())},"sites":[`);
		for (let start = 0; start < sites.length; start += siteCacheSlice) {
			const slice = sites.slice(start, start + siteCacheSlice).map(site => JSON.stringify(site)).join(',');
			await handle.write(start === 0 ? slice : `,${slice}`);
		}

		await handle.write(']}');
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/** The cached site list, or undefined when there is none (or it cannot be read). */
export async function loadSiteCache(directory: string): Promise<SiteCache | undefined> {
	try {
		const cache = JSON.parse(await readFile(path.join(directory, siteCacheName), 'utf8')) as Partial<SiteCache>;
		if (typeof cache.savedAt !== 'string' || !Array.isArray(cache.sites)) {
			return undefined;
		}

		const sites = cache.sites.filter(site =>
			Number.isInteger(site?.id) && typeof site.url === 'string' && typeof site.intervalSeconds === 'number');
		return {savedAt: cache.savedAt, sites};
	} catch {
		return undefined;
	}
}
