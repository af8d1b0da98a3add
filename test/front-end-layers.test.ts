import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import ts from 'typescript';

/**
The two front ends stand on the engine and storage, never on each other: what both need (the
writer's status, its trouble line) lives in the layer below. This reads the import statements of
every file under source/ui and source/headless, as TypeScript parses them.
*/

const sourceRoot = fileURLToPath(new URL('../source/', import.meta.url));

/** The source files under `directory`, recursively. */
function sourceFiles(directory: string): string[] {
	return readdirSync(directory, {withFileTypes: true, recursive: true})
		.filter(entry => entry.isFile() && /\.tsx?$/.test(entry.name))
		.map(entry => path.join(entry.parentPath, entry.name));
}

/** Every module `text` imports or re-exports: static, type-only, `export ... from` and `import()`. */
function importedModules(text: string): string[] {
	return ts.preProcessFile(text, true, true).importedFiles.map(file => file.fileName);
}

/** The source folder (`ui`, `headless`, ...) a relative import from `file` lands in, if it stays in source/. */
function folderOf(file: string, specifier: string): string | undefined {
	if (!specifier.startsWith('.')) {
		return undefined;
	}

	const relative = path.relative(sourceRoot, path.resolve(path.dirname(file), specifier));
	return relative.startsWith('..') ? undefined : relative.split(path.sep)[0];
}

/** `file -> specifier` for each import of a file under `from` that reaches into `into`. */
function crossings(from: string, into: string): string[] {
	return sourceFiles(path.join(sourceRoot, from)).flatMap(file => importedModules(readFileSync(file, 'utf8'))
		.filter(specifier => folderOf(file, specifier) === into)
		.map(specifier => `${path.relative(sourceRoot, file)} -> ${specifier}`));
}

test('the import reader sees every kind of import', t => {
	const text = [
		'import a from \'../headless/a.js\';',
		'import type {B} from \'../headless/b.js\';',
		'export {c} from \'../headless/c.js\';',
		'export type {D} from \'../headless/d.js\';',
		'const e = await import(\'../headless/e.js\');',
		'// import f from \'../headless/f.js\';',
	].join('\n');
	const file = path.join(sourceRoot, 'ui', 'example.ts');
	t.deepEqual(importedModules(text).map(specifier => folderOf(file, specifier)), ['headless', 'headless', 'headless', 'headless', 'headless']);
	t.is(folderOf(file, './types.js'), 'ui');
	t.is(folderOf(file, 'ink'), undefined);
});

test('source/ui imports nothing from source/headless', t => {
	t.true(sourceFiles(path.join(sourceRoot, 'ui')).length > 10, 'the UI files were found');
	t.deepEqual(crossings('ui', 'headless'), []);
});

test('source/headless imports nothing from source/ui', t => {
	t.true(sourceFiles(path.join(sourceRoot, 'headless')).length > 1, 'the headless files were found');
	t.deepEqual(crossings('headless', 'ui'), []);
});
