import test from 'ava';
import {HostLanes} from '../../source/engine/host-lanes.js';
import {SiteTable} from '../../source/engine/site-table.js';

test('takeChanges hands out at most maxViews views, oldest change first, and the rest on later calls', t => {
	const lanes = new HostLanes({maxPerHost: 4, suspectShare: 0.25});
	const table = new SiteTable(true);
	for (let id = 1; id <= 5; id++) {
		table.add({id, url: `http://127.0.0.1:9/${id}`, intervalSeconds: 60}, lanes.join('http://127.0.0.1:9'));
	}

	table.remove(table.get(2)!);
	t.deepEqual(table.takeChanges(2).views.map(view => view.id), [1, 3]);
	const rest = table.takeChanges(2);
	t.deepEqual(rest.views.map(view => view.id), [4, 5]);
	t.deepEqual(rest.removed, [], 'removals go out once, with the first call');
	table.setView(table.get(3)!, {...table.get(3)!.view, status: 'up'});
	t.deepEqual(table.takeChanges().views.map(view => [view.id, view.status]), [[3, 'up']]);
	t.deepEqual(table.takeChanges(), {views: [], removed: []});
});

test('a table nobody publishes from keeps no record of changes', t => {
	const lanes = new HostLanes({maxPerHost: 4, suspectShare: 0.25});
	const quiet = new SiteTable(false);
	const runtime = quiet.add({id: 1, url: 'http://127.0.0.1:9/a', intervalSeconds: 5}, lanes.join('http://127.0.0.1:9'));
	quiet.setView(runtime, {...runtime.view, status: 'up'});
	t.is(quiet.statusCounts.up, 1, 'status counts are kept all the same');
	quiet.remove(runtime);
	t.deepEqual(quiet.takeChanges(), {views: [], removed: []});
	t.is(quiet.size, 0);
});
