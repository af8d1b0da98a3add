import {displayText} from './text-width.js';
import type {PendingPause} from './ui-state.js';
import type {KeyContext} from './use-app-keys.js';

/**
Pauses or resumes `ids` through the monitor, which owns a site's pause: its snapshot changes at once,
so the screen answers the key, and storing follows; the status line says what the store made of it.
*/
export function setPaused(context: KeyContext, ids: readonly number[], paused: boolean, what: string): void {
	const {dispatch} = context;
	const kept = paused ? context.monitor.pause([...ids]) : context.monitor.resume([...ids]);
	context.store.refreshNow();
	dispatch({type: 'reorder'});
	const verb = paused ? 'paused' : 'resumed';
	dispatch({type: 'message', text: `${verb} ${what}`});
	kept.then(outcome => {
		if (outcome === 'deferred') {
			dispatch({type: 'message', text: `${verb} ${what} for this run; stored once the database is reached`});
		} else if (outcome === 'run-only') {
			dispatch({type: 'message', text: `${verb} ${what} for this run only`});
		}
	}, (error: unknown) => {
		const reason = displayText(error instanceof Error ? error.message : String(error), context.charset);
		dispatch({type: 'message', text: `${verb} ${what} for this run only; storing it failed: ${reason}`, alert: true});
	});
}

/**
`P`: pauses every site the filter shows (every site without a filter), or resumes them when all are
paused already. More than one site is asked about first: one key must not stop a whole fleet's
checks by accident.
*/
export function pauseShown(context: KeyContext): void {
	const {filter} = context;
	// A fresh snapshot rather than the (up to a second old) order: the ids must be exactly the shown ones.
	const shown = context.monitor.snapshot().sites.filter(view => !filter.active || filter.matches(view));
	if (shown.length === 0) {
		context.dispatch({type: 'message', text: 'no sites shown', alert: true});
		return;
	}

	const resume = shown.every(view => view.status === 'paused');
	const ids = shown.filter(view => (view.status === 'paused') === resume).map(view => view.id);
	const count = ids.length.toLocaleString('en-US');
	const what = `${count} site${ids.length === 1 ? '' : 's'}${filter.active ? ' shown by the filter' : ''}`;
	if (ids.length === 1) {
		setPaused(context, ids, !resume, what);
	} else {
		context.dispatch({type: 'pause-ask', pending: {ids, paused: !resume, what}});
	}
}

/** The key pressed while `P` asks: `y` or `Y` does it; any other key only cancels, and says so. */
export function answerPendingPause(input: string, pending: PendingPause, context: KeyContext): void {
	context.dispatch({type: 'pause-answered'});
	if (input === 'y' || input === 'Y') {
		setPaused(context, pending.ids, pending.paused, pending.what);
	} else {
		context.dispatch({type: 'message', text: `cancelled: nothing ${pending.paused ? 'paused' : 'resumed'}`});
	}
}

/** The question `P` asks, for the status line. */
export function pendingPausePrompt(pending: PendingPause): string {
	return `${pending.paused ? 'Pause' : 'Resume'} ${pending.what}? y/N`;
}
