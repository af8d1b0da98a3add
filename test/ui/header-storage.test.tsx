import test from 'ava';
import type {WriterStatus} from '../../source/storage/writer-status.js';
import {formatSummary} from '../../source/headless/format-summary.js';
import {appProps, recorder, renderApp, siteSpecs, startEngine} from './harness.js';

/** What the writer reports while the journal's disk is full and the database fails too. */
const inTrouble: WriterStatus = {
	state: 'retrying', queued: 300, written: 120, journaled: 0, memoryOnly: 300, journalFault: 'the disk is full (ENOSPC)', lost: 12, full: true,
};

test('results in memory only, lost results and held slots are in the header\'s db segment and the summary line', async t => {
	const {clock, engine} = startEngine(siteSpecs(4, 5));
	await clock.advance(6000);
	engine.hold(true);
	await clock.advance(10_000);
	const {totals} = engine.snapshot();
	t.is(totals.heldSlots, 8, 'two slots of each site passed while held');
	const trouble = '300 in memory only (journal: the disk is full (ENOSPC)), 12 lost, checks held, 8 slots held';

	const app = await renderApp(appProps(engine, clock, recorder(), {writerStatus: () => inTrouble}), {columns: 200, rows: 40});
	t.true(app.lastFrame()!.includes(`db retrying: 300 queued, 120 stored, ${trouble}`), app.lastFrame());
	app.unmount();
	t.true(formatSummary(totals, inTrouble).endsWith(`db retrying, 120 stored, 300 queued, ${trouble}`));

	// All well: nothing extra.
	const healthy = formatSummary({...totals, heldSlots: 0}, {state: 'connected', queued: 0, written: 5, memoryOnly: 0, lost: 0, full: false});
	t.true(healthy.endsWith('db connected, 5 stored, 0 queued'), healthy);
});
