import {parentPort, workerData} from 'node:worker_threads';
import type {StartedCheck} from '../engine/engine-types.js';
import type {CheckResult} from '../engine/types.js';
import {createProcessSignals} from '../process-signals.js';
import {createLocalEngine} from './local-engine.js';
import type {FromWorker, ToWorker, WorkerInit} from './worker-protocol.js';

/**
One shard: the same engine as the in-process one, with its own prober, controller and event loop,
over a disjoint subset of the sites. Results and changed site views go to the main thread in one
message per `publishEveryMs`, never one message per check.
*/
// Undici destroys every connection a server closes with an error object, and Node's streams read its
// stack: with `Connection: close` that is one captured and formatted stack per check, 12% of a
// worker's CPU in the profile, for errors nobody prints. A worker's own failures still say what
// failed; `--workers 0` runs the same engine on the main thread, with stack traces, for debugging.
Error.stackTraceLimit = 0;
const port = parentPort!;
const init = workerData as WorkerInit;
const signals = createProcessSignals();
const engine = createLocalEngine({
	checksPerSite: init.checksPerSite,
	timeoutMs: init.timeoutMs,
	maxConcurrency: init.maxConcurrency,
	maxInFlight: init.maxInFlight,
	maxPerHost: init.maxPerHost,
	prober: init.prober,
	measure: signals.measure,
}, {publishesChanges: init.publishViews !== false});
engine.addSites(init.sites);

let started: StartedCheck[] = [];
let results: CheckResult[] = [];
engine.on('started', check => {
	started.push(check);
});
engine.on('result', result => {
	results.push(result);
});

const post = (message: FromWorker) => {
	port.postMessage(message);
};

// Views per update: 20,000 every 100 ms brings a 500,000-site shard's first schedule to the main
// thread in 2.5 s, in messages of a few MB, instead of one message of hundreds of MB.
const maxViewsPerUpdate = 20_000;

const publish = (maxViews = maxViewsPerUpdate) => {
	// Totals (rates, in-flight) move even when nothing else did: the front end's header stays live.
	const {views, removed} = engine.takeChanges(maxViews);
	post({type: 'update', started, results, views, removed, totals: engine.totals()});
	started = [];
	results = [];
};

const timer = setInterval(publish, init.publishEveryMs ?? 100);
engine.once('done', () => {
	publish(Infinity);
	post({type: 'done'});
});

let stopping = false;
port.on('message', (message: ToWorker) => {
	switch (message.type) {
		case 'start': {
			engine.start(message.anchor, message.resumeAt === undefined
				? undefined
				: {at: message.resumeAt, slotsUsed: new Map(message.slotsUsed)});
			break;
		}

		case 'add': {
			engine.addSites(message.sites);
			break;
		}

		case 'remove': {
			for (const id of message.ids) {
				engine.removeSite(id);
			}

			break;
		}

		case 'pause': {
			// No pause store here: the main thread keeps the fleet's pauses and stores them.
			void engine.pause(message.ids);
			break;
		}

		case 'resume': {
			void engine.resume(message.ids);
			break;
		}

		case 'checkNow': {
			engine.checkNow(message.id);
			break;
		}

		case 'hold': {
			engine.hold(message.held);
			break;
		}

		case 'abort': {
			engine.abortInFlight();
			break;
		}

		case 'stop': {
			if (stopping) {
				break;
			}

			stopping = true;
			void (async () => {
				await engine.stop();
				clearInterval(timer);
				publish(Infinity);
				await engine.close();
				signals.stop();
				post({type: 'stopped'});
				port.close();
			})();

			break;
		}
	}
});

post({type: 'ready'});
