import test from 'ava';
import {CheckEngine} from '../../source/engine/check-engine.js';
import {createConcurrencyController} from '../../source/engine/concurrency-controller.js';
import type {CheckResult, SiteSpec} from '../../source/engine/types.js';
import {createProber} from '../../source/probe/index.js';
import {waitFor} from '../helpers/wait-for.js';
import {httpServer} from '../probe/loopback.js';

/**
Every probe in flight listens to the engine's one abort signal. An EventTarget warns past ten
listeners (MaxListenersExceededWarning: "Possible EventTarget memory leak detected") unless it allows
more: the runner says so with setMaxListeners(0), and Node 24's AbortSignal has no limit to begin
with. This guards both. The real engine and prober, against a loopback server that answers nothing.
*/
test('2,000 checks in flight on one engine raise no MaxListenersExceededWarning, and one abort ends every one as a result', async t => {
	const checks = 2000;
	let seen = 0;
	const server = await httpServer(() => {
		seen++;
		// Never answers: each check stays in flight until it is aborted.
	});
	const warnings: Error[] = [];
	const onWarning = (warning: Error) => {
		warnings.push(warning);
	};

	process.on('warning', onWarning);
	const prober = createProber({totalTimeoutMs: 120_000, connectionsPerOrigin: checks});
	t.teardown(async () => {
		process.off('warning', onWarning);
		await prober.close();
		await server.close();
	});
	const engine = new CheckEngine({
		probe: prober.probe,
		timeoutMs: 120_000,
		maxPerHost: checks,
		// Every check may start at once; the controller's ramp is not what this test is about.
		controller: createConcurrencyController({initial: checks, min: checks, max: checks}),
	});
	const sites: SiteSpec[] = Array.from({length: checks}, (_, index) => ({id: index + 1, url: server.url(`/site/${index + 1}`), intervalSeconds: 3600}));
	const results: CheckResult[] = [];
	engine.on('result', result => results.push(result));
	engine.addSites(sites);
	// First slots are spread over each site's first interval; on a grid anchored an interval ago, every one is due.
	engine.start(Date.now() - 3_600_000);
	await waitFor(() => seen === checks, 60_000);
	t.is(engine.inFlight, checks);
	// Warnings are emitted on the next tick; give them a turn to arrive.
	await new Promise(resolve => {
		setImmediate(resolve);
	});
	t.deepEqual(warnings.filter(warning => warning.name === 'MaxListenersExceededWarning').map(warning => warning.message), []);

	engine.abortInFlight();
	await engine.stop();
	const aborted = results.filter(result => result.errorMessage === 'aborted');
	t.is(new Set(aborted.map(result => result.siteId)).size, checks, 'every check in flight ended by the abort, as a result');
	t.is(aborted.length, checks, 'once each');
	// A site whose phase put its second slot within the test's seconds skips it: its check still ran.
	t.true(results.every(result => result.errorMessage === 'aborted' || result.errorKind === 'skipped'));
});
