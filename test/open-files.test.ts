import test from 'ava';
import {checksInFlightBudget, openFilesLimit} from '../source/open-files.js';

const limits = (soft: string, hard: string) => [
	'Limit                     Soft Limit           Hard Limit           Units     ',
	'Max processes             95316                95316                processes ',
	`Max open files            ${soft.padEnd(21)}${hard.padEnd(21)}files     `,
	'Max locked memory         8388608              8388608              bytes     ',
].join('\n');

test('reads the soft open-files limit of /proc/self/limits', t => {
	t.is(openFilesLimit(limits('20000', '1048576')), 20_000);
	t.is(openFilesLimit(limits('unlimited', 'unlimited')), undefined);
	t.is(openFilesLimit(undefined), undefined);
});

test('checks in flight get nine tenths of the open files, less a reserve for everything else', t => {
	t.deepEqual(checksInFlightBudget(() => limits('20000', '20000')), {checks: 17_744, openFiles: 20_000});
	t.deepEqual(checksInFlightBudget(() => limits('1024', '4096')), {checks: 665, openFiles: 1024});
	t.deepEqual(checksInFlightBudget(() => limits('100', '100')), {checks: 16, openFiles: 100}, 'never fewer than 16');
	t.deepEqual(checksInFlightBudget(() => undefined), {checks: 665, openFiles: 1024}, 'unknown: as for 1,024');
});

test('on this machine the budget follows the real limit', t => {
	const {checks, openFiles} = checksInFlightBudget();
	t.true(openFiles >= 256, `${openFiles} open files`);
	t.true(checks < openFiles);
});
