import {sortKeys, type SortKey} from './types.js';

/** A `P` over more than one site, waiting for `y` before anything is paused or resumed. */
export type PendingPause = {
	/** The sites `y` acts on: the ones the prompt counted. */
	readonly ids: readonly number[];
	/** Pause (true) or resume (false). */
	readonly paused: boolean;
	/** `1,234 sites shown by the filter`: for the prompt and the message after it. */
	readonly what: string;
};

/** What the UI remembers between frames; the engine owns everything else. */
export type UiState = {
	/** The filter text (applied as typed). */
	readonly filter: string;
	/** True while `/` is collecting keys. */
	readonly editingFilter: boolean;
	readonly sort: SortKey;
	readonly reversed: boolean;
	/** The selected site; the selection follows it when the order changes. */
	readonly selectedId: number | undefined;
	/** Its last known position, used when it leaves the filtered list. */
	readonly cursor: number;
	readonly overlay: 'none' | 'help' | 'detail';
	/** The site the detail pane shows. */
	readonly detailId: number | undefined;
	/** Status line message and whether it reports a problem. */
	readonly message: {readonly text: string; readonly alert: boolean} | undefined;
	/** Set while `P` asks `y/N`; every key answers it. */
	readonly pendingPause: PendingPause | undefined;
	/** Set after the first `q` / Ctrl-C. */
	readonly quitting: boolean;
	/** Bumped when the order must be recomputed at once (pause, resume). */
	readonly epoch: number;
};

/** Everything that changes `UiState`. */
export type UiAction =
	| {readonly type: 'select'; readonly id: number | undefined; readonly cursor: number}
	| {readonly type: 'filter-start'}
	| {readonly type: 'filter-append'; readonly text: string}
	| {readonly type: 'filter-backspace'}
	| {readonly type: 'filter-accept'}
	| {readonly type: 'filter-clear'}
	| {readonly type: 'sort-next'}
	| {readonly type: 'sort-reverse'}
	| {readonly type: 'help'}
	| {readonly type: 'detail'; readonly id: number}
	| {readonly type: 'close-overlay'}
	| {readonly type: 'message'; readonly text: string; readonly alert?: boolean}
	| {readonly type: 'clear-message'; readonly text: string}
	| {readonly type: 'pause-ask'; readonly pending: PendingPause}
	| {readonly type: 'pause-answered'}
	| {readonly type: 'quit'}
	| {readonly type: 'reorder'};

/** The state at start-up: worst sites first. */
export const initialUiState: UiState = {
	filter: '',
	editingFilter: false,
	sort: 'status',
	reversed: false,
	selectedId: undefined,
	cursor: 0,
	overlay: 'none',
	detailId: undefined,
	message: undefined,
	pendingPause: undefined,
	quitting: false,
	epoch: 0,
};

/** The reducer behind the App's keys. */
export function uiReducer(state: UiState, action: UiAction): UiState {
	switch (action.type) {
		case 'select': {
			return {...state, selectedId: action.id, cursor: action.cursor};
		}

		case 'filter-start': {
			return {...state, editingFilter: true, overlay: 'none'};
		}

		case 'filter-append': {
			return {...state, filter: state.filter + action.text};
		}

		case 'filter-backspace': {
			// By code point, so a deleted emoji does not leave half a surrogate pair behind.
			return {...state, filter: [...state.filter].slice(0, -1).join('')};
		}

		case 'filter-accept': {
			return {...state, editingFilter: false};
		}

		case 'filter-clear': {
			return {...state, filter: '', editingFilter: false};
		}

		case 'sort-next': {
			const next = sortKeys[(sortKeys.indexOf(state.sort) + 1) % sortKeys.length]!;
			return {...state, sort: next, reversed: false};
		}

		case 'sort-reverse': {
			return {...state, reversed: !state.reversed};
		}

		case 'help': {
			return {...state, overlay: state.overlay === 'help' ? 'none' : 'help'};
		}

		case 'detail': {
			return {...state, overlay: 'detail', detailId: action.id};
		}

		case 'close-overlay': {
			return {...state, overlay: 'none'};
		}

		case 'message': {
			return {...state, message: {text: action.text, alert: action.alert ?? false}};
		}

		case 'clear-message': {
			return state.message?.text === action.text ? {...state, message: undefined} : state;
		}

		case 'pause-ask': {
			return {...state, pendingPause: action.pending};
		}

		case 'pause-answered': {
			return {...state, pendingPause: undefined};
		}

		case 'quit': {
			// Quitting drops a question nobody answered: nothing was paused.
			return {
				...state, quitting: true, overlay: 'none', editingFilter: false, pendingPause: undefined,
			};
		}

		case 'reorder': {
			return {...state, epoch: state.epoch + 1};
		}
	}
}
