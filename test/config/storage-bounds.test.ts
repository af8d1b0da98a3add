import test from 'ava';
import {parseStorageBounds} from '../../source/config/storage-bounds.js';

test('--journal-max-mb and --memory-max-results take positive whole numbers, and say what is wrong otherwise', t => {
	t.deepEqual(parseStorageBounds({}), {});
	t.deepEqual(parseStorageBounds({journalMaxMb: '512', memoryMaxResults: '1000'}), {journalMaxMb: 512, memoryMaxResults: 1000});
	for (const bad of ['0', '-1', '1.5', 'ten', '', '1e400']) {
		t.is(parseStorageBounds({journalMaxMb: bad}), `--journal-max-mb "${bad}" must be a positive whole number`);
		t.is(parseStorageBounds({memoryMaxResults: bad}), `--memory-max-results "${bad}" must be a positive whole number`);
	}
});
