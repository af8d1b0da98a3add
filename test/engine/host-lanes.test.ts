import test from 'ava';
import {HostLanes, type WaitingCheck} from '../../source/engine/host-lanes.js';

const normal = {manual: false, standing: 'good'} as const;
const unknown = {manual: false, standing: 'unknown'} as const;
const suspect = {manual: false, standing: 'suspect'} as const;

function drain(lanes: HostLanes, allowSuspect = true): WaitingCheck[] {
	const taken: WaitingCheck[] = [];
	for (let entry = lanes.take(allowSuspect); entry; entry = lanes.take(allowSuspect)) {
		taken.push(entry);
	}

	return taken;
}

test('checks start in slot order across hosts, FIFO within one, and a manual check goes first', t => {
	const lanes = new HostLanes({maxPerHost: 10, suspectShare: 0.25});
	const a = lanes.join('http://a');
	const b = lanes.join('http://b');
	lanes.enqueue(a, 1, 300, normal);
	lanes.enqueue(b, 2, 100, normal);
	lanes.enqueue(a, 3, 200, normal);
	lanes.enqueue(b, 4, 400, {manual: true, standing: 'unknown'});
	t.is(lanes.waiting, 4);
	t.deepEqual(drain(lanes).map(entry => entry.siteId), [4, 2, 1, 3]);
	t.is(lanes.waiting, 0);
});

test('a host never has more than its limit in flight, while other hosts go on', t => {
	const lanes = new HostLanes({maxPerHost: 3, suspectShare: 0.25});
	const shared = lanes.join('http://shared');
	const other = lanes.join('http://other');
	for (let id = 1; id <= 10; id++) {
		lanes.enqueue(shared, id, id, normal);
	}

	lanes.enqueue(other, 99, 50, normal);
	const taken = drain(lanes);
	t.deepEqual(taken.map(entry => entry.siteId), [1, 2, 3, 99]);
	t.is(lanes.waiting, 7);
	t.is(lanes.waitingOnHosts, 7, 'all seven wait for their host, none for the global limit');
	t.is(lanes.reasonWaiting(shared.queues.good.peek()!), 'host_busy');
	lanes.finished(taken[0]!);
	t.is(lanes.waitingOnHosts, 6, 'one could start now: it waits for the engine, not the host');
	t.is(lanes.reasonWaiting(shared.queues.good.peek()!), 'client_busy');
	t.deepEqual(drain(lanes).map(entry => entry.siteId), [4]);
});

test('suspects hold at most their share of a host, and the other paths get the rest', t => {
	const lanes = new HostLanes({maxPerHost: 8, suspectShare: 0.25});
	const host = lanes.join('http://host');
	for (let id = 1; id <= 10; id++) {
		lanes.enqueue(host, id, id, suspect);
	}

	for (let id = 11; id <= 20; id++) {
		lanes.enqueue(host, id, 100 + id, unknown);
	}

	const taken = drain(lanes);
	t.is(taken.filter(entry => entry.standing === 'suspect').length, 2, 'a quarter of 8');
	t.is(taken.filter(entry => entry.standing !== 'suspect').length, 6);
	t.is(host.inFlight, 8);
	t.is(lanes.take(false), undefined, 'the engine may hold suspects back too');
});

test('a cancelled check leaves its lane at once and is never started', t => {
	const lanes = new HostLanes({maxPerHost: 1, suspectShare: 0.25});
	const host = lanes.join('http://host');
	const first = lanes.enqueue(host, 1, 1, normal);
	const second = lanes.enqueue(host, 2, 2, normal);
	const third = lanes.enqueue(host, 3, 3, normal);
	lanes.cancel(first);
	lanes.cancel(third);
	t.is(lanes.waiting, 1);
	t.deepEqual(drain(lanes), [second]);
	lanes.finished(second);
	t.deepEqual(drain(lanes), []);
	t.is(lanes.waiting, 0);
	t.is(lanes.waitingOnHosts, 0);
});

test('a host in distress gets half its limit at the next tick, down to a quarter, then one more per quiet tick', t => {
	const lanes = new HostLanes({maxPerHost: 16, suspectShare: 0.25});
	const host = lanes.join('http://host');
	const run = (distress: boolean) => {
		lanes.enqueue(host, 1, 1, normal);
		lanes.finished(lanes.take(true)!, distress);
	};

	run(true);
	t.is(host.limit, 16, 'nothing changes before the tick');
	lanes.tick();
	t.is(host.limit, 8);
	run(true);
	run(true);
	lanes.tick();
	t.is(host.limit, 4, 'halved once per tick, however many signs');
	run(true);
	lanes.tick();
	t.is(host.limit, 4, 'never below a quarter of the ceiling');
	lanes.tick();
	lanes.tick();
	t.is(host.limit, 6);
	for (let tick = 0; tick < 20; tick++) {
		lanes.tick();
	}

	t.is(host.limit, 16, 'back to the ceiling, no further');
});

test('a lane is forgotten once no site uses it and nothing runs on it', t => {
	const lanes = new HostLanes({maxPerHost: 4, suspectShare: 0.25});
	const host = lanes.join('http://host');
	lanes.join('http://host');
	t.is(lanes.hosts, 1);
	const entry = lanes.enqueue(host, 1, 1, normal);
	lanes.take(true);
	lanes.leave(host);
	lanes.leave(host);
	t.is(lanes.hosts, 1, 'a check still runs there');
	lanes.finished(entry);
	t.is(lanes.hosts, 0);
	t.not(lanes.join('http://host'), host, 'a new lane with a fresh limit');
});

test('checks of unknown standing take only the places no good check waits for', t => {
	const lanes = new HostLanes({maxPerHost: 4, suspectShare: 0.25});
	const host = lanes.join('http://host');
	for (let id = 1; id <= 4; id++) {
		lanes.enqueue(host, id, id, unknown);
	}

	lanes.enqueue(host, 10, 50, normal);
	lanes.enqueue(host, 11, 60, normal);
	// Four places, six waiting: both good checks start although they came last; two unknown ones fill the rest.
	const taken = drain(lanes).map(entry => entry.siteId);
	t.deepEqual([...taken].sort((a, b) => a - b), [1, 2, 10, 11]);
	t.is(lanes.reasonWaiting(host.queues.unknown.peek()!), 'host_busy');
	t.is(lanes.waitingOnHosts, 2);
});

test('a check that waited a whole interval stands for the next slot and keeps its place', t => {
	const lanes = new HostLanes({maxPerHost: 1, suspectShare: 0.25});
	const host = lanes.join('http://host');
	const running = lanes.enqueue(host, 1, 1, normal);
	lanes.take(true);
	const first = lanes.enqueue(host, 2, 2, normal);
	lanes.enqueue(host, 3, 3, normal);
	lanes.reslot(first, 1002);
	lanes.finished(running);
	const next = lanes.take(true)!;
	t.is(next, first, 'still first in line');
	t.is(next.scheduledAt, 1002);
});
