import {useInput, type Key} from 'ink';
import type {Dispatch} from 'react';
import type {MonitorHandle} from '../engine/engine-types.js';
import {answerPendingPause, pauseShown, setPaused} from './pause-sites.js';
import type {SiteFilter} from './site-filter.js';
import type {SiteOrder} from './site-order.js';
import type {SnapshotStore} from './snapshot-store.js';
import {displayText} from './text-width.js';
import type {Charset} from './types.js';
import type {UiAction, UiState} from './ui-state.js';

/** What the key handler reads and acts on. */
export type KeyContext = {
	readonly state: UiState;
	readonly dispatch: Dispatch<UiAction>;
	readonly order: SiteOrder;
	/** Position of the selection in `order` (-1 when the order is empty). */
	readonly position: number;
	/** Table rows on screen, for PgUp/PgDn. */
	readonly pageSize: number;
	readonly filter: SiteFilter;
	readonly store: SnapshotStore;
	readonly monitor: MonitorHandle;
	readonly onQuit: () => void;
	readonly onForceQuit: () => void;
	readonly charset: Charset;
};

/**
Binds the keys (k9s / htop habits). Inactive when stdin is not a terminal: Ink cannot put it in raw
mode, and the UI then only watches (signals still quit through the CLI).
*/
export function useAppKeys(context: KeyContext, isActive = true): void {
	useInput((input, key) => {
		handleKey(input, key, context);
	}, {isActive});
}

/** One key press. */
function handleKey(input: string, key: Key, context: KeyContext): void {
	const {state, dispatch} = context;
	if (key.ctrl && input === 'c') {
		if (state.quitting) {
			context.onForceQuit();
		} else {
			quit(context);
		}

		return;
	}

	if (state.pendingPause) {
		// Every key answers the question; none does what it does otherwise.
		answerPendingPause(input, state.pendingPause, context);
		return;
	}

	if (state.editingFilter) {
		editFilter(input, key, context);
		return;
	}

	if (state.overlay === 'help') {
		// Any key closes the help; `q` still quits from there.
		dispatch({type: 'close-overlay'});
		if (input === 'q') {
			quit(context);
		}

		return;
	}

	if (state.overlay === 'detail' && (key.escape || key.return || key.backspace || key.delete)) {
		dispatch({type: 'close-overlay'});
		return;
	}

	if (move(input, key, context)) {
		return;
	}

	const id = context.order.ids[context.position];
	switch (input) {
		case '/': {
			dispatch({type: 'filter-start'});
			return;
		}

		case 's': {
			dispatch({type: 'sort-next'});
			return;
		}

		case 'S': {
			dispatch({type: 'sort-reverse'});
			return;
		}

		case ' ': {
			const targetId = state.overlay === 'detail' ? state.detailId : id;
			if (targetId !== undefined) {
				const view = context.monitor.snapshot().sites.find(site => site.id === targetId);
				if (view) {
					setPaused(context, [targetId], view.status !== 'paused', displayText(view.url, context.charset));
				}
			}

			return;
		}

		case 'P': {
			pauseShown(context);
			return;
		}

		case 'r': {
			checkNow(context, state.overlay === 'detail' ? state.detailId : id);
			return;
		}

		case '?': {
			dispatch({type: 'help'});
			return;
		}

		case 'q': {
			quit(context);
			return;
		}

		default:
	}

	if (key.return && id !== undefined) {
		dispatch({type: 'detail', id});
	} else if (key.escape && state.filter !== '') {
		dispatch({type: 'filter-clear'});
	}
}

function editFilter(input: string, key: Key, context: KeyContext): void {
	const {dispatch} = context;
	if (key.escape) {
		dispatch({type: 'filter-clear'});
	} else if (key.return) {
		dispatch({type: 'filter-accept'});
	} else if (key.backspace || key.delete) {
		dispatch({type: 'filter-backspace'});
	} else if (!move('', key, context) && !key.ctrl && !key.meta && input !== '') {
		// Pasted text arrives as one string; keep only what can be typed on one line.
		const typed = input.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, '');
		dispatch({type: 'filter-append', text: typed});
	}
}

/** Selection movement; true when the key was one. Letters only count outside the filter prompt. */
function move(input: string, key: Key, context: KeyContext): boolean {
	const {order, position, pageSize} = context;
	const last = order.ids.length - 1;
	let target: number;
	if (key.upArrow || input === 'k') {
		target = position - 1;
	} else if (key.downArrow || input === 'j') {
		target = position + 1;
	} else if (key.pageUp) {
		target = position - Math.max(1, pageSize);
	} else if (key.pageDown) {
		target = position + Math.max(1, pageSize);
	} else if (key.home || input === 'g') {
		target = 0;
	} else if (key.end || input === 'G') {
		target = last;
	} else {
		return false;
	}

	if (last >= 0) {
		const clamped = Math.min(last, Math.max(0, target));
		const id = order.ids[clamped];
		context.dispatch({type: 'select', id, cursor: clamped});
		if (context.state.overlay === 'detail' && id !== undefined) {
			// The detail pane follows the selection, so j/k browse the sites' recent checks.
			context.dispatch({type: 'detail', id});
		}
	}

	return true;
}

function checkNow(context: KeyContext, id: number | undefined): void {
	if (id === undefined) {
		return;
	}

	const view = context.monitor.snapshot().sites.find(site => site.id === id);
	const url = view ? displayText(view.url, context.charset) : `site ${id}`;
	const started = context.monitor.checkNow(id);
	context.store.refreshNow();
	context.dispatch({type: 'message', text: started ? `checking ${url} now` : `${url} is already being checked`});
}

function quit(context: KeyContext): void {
	const {state, dispatch} = context;
	if (state.quitting) {
		// Only a second Ctrl-C forces: a second `q` is more likely impatience than a decision to lose rows.
		dispatch({type: 'message', text: 'already quitting; Ctrl-C forces'});
		return;
	}

	dispatch({type: 'quit'});
	context.onQuit();
}
