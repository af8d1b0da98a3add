import {useEffect, type Dispatch} from 'react';
import type {UiAction, UiState} from './ui-state.js';

/** Clears a status-line message after `ms`, unless a newer one replaced it. */
export function useMessageExpiry(message: UiState['message'], dispatch: Dispatch<UiAction>, ms = 5000): void {
	useEffect(() => {
		if (!message) {
			return;
		}

		const timer = setTimeout(() => {
			dispatch({type: 'clear-message', text: message.text});
		}, ms);
		timer.unref();
		return () => {
			clearTimeout(timer);
		};
	}, [message, dispatch, ms]);
}
