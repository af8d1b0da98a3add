import {Box} from 'ink';
import {useMemo, useReducer, useRef} from 'react';
import {DetailPane} from './detail-pane.js';
import {Footer} from './footer.js';
import {glyphsFor} from './glyphs.js';
import {Header} from './header.js';
import {HelpOverlay} from './help-overlay.js';
import {compileFilter} from './site-filter.js';
import {SiteTable} from './site-table.js';
import {statusLine} from './status-line.js';
import {tableColumns} from './table-layout.js';
import type {AppProps} from './types.js';
import {initialUiState, uiReducer} from './ui-state.js';
import {useAppKeys} from './use-app-keys.js';
import {useMessageExpiry} from './use-message-expiry.js';
import {useMonitorSnapshot} from './use-monitor-snapshot.js';
import {useRecentChecks} from './use-recent-checks.js';
import {useShutdownProgress} from './use-shutdown-progress.js';
import {useSiteOrder} from './use-site-order.js';
import {useTerminalSize} from './use-terminal-size.js';

const systemClock = {now: () => Date.now()};

/** Header lines for a terminal size: fewer on short terminals, where table rows matter more. */
function headerHeight(columns: number, rows: number): number {
	const wanted = columns >= 160 ? 2 : (columns >= 100 ? 3 : 4);
	if (rows < 10) {
		return 1;
	}

	return rows < 16 ? Math.min(wanted, 2) : wanted;
}

/**
The live UI: header, virtualised site table (or the help or detail pane in its place), footer.
Reads the monitor through a coalesced snapshot and sends it commands; knows nothing of the database
except through the injected callbacks.
*/
export function App(props: AppProps) {
	const clock = props.clock ?? systemClock;
	const charset = props.charset ?? 'unicode';
	const color = props.color ?? true;
	const slowMs = props.slowMs ?? 2000;
	const glyphs = glyphsFor(charset);
	const {snapshot, store} = useMonitorSnapshot(props.monitor, props.refreshMs ?? 100, props.refreshTimers);
	const {columns, rows} = useTerminalSize();
	const [state, dispatch] = useReducer(uiReducer, initialUiState);
	const filter = useMemo(() => compileFilter(state.filter, slowMs), [state.filter, slowMs]);
	const now = clock.now();
	const order = useSiteOrder({
		sites: snapshot.sites,
		filter,
		sort: state.sort,
		reversed: state.reversed,
		slowMs,
		now,
		resortMs: props.resortMs ?? 1000,
		epoch: state.epoch,
	});

	// One row fewer than the terminal: a frame as tall as the terminal takes Ink's full-clear path on
	// some terminals (Windows consoles), and the spare row keeps the cursor off the frame.
	const height = Math.max(5, rows - 1);
	const header = headerHeight(columns, rows);
	const bodyHeight = Math.max(2, height - header - 2);
	const tableRows = bodyHeight - 1;

	const count = order.ids.length;
	let position = state.selectedId === undefined ? -1 : order.ids.indexOf(state.selectedId);
	if (position === -1) {
		position = Math.min(state.cursor, count - 1);
	}

	// The scroll offset moves only as far as needed to keep the selection on screen (a render-time
	// ref: it is derived from the selection and must not cost a second render).
	const topRef = useRef(0);
	let top = topRef.current;
	if (position < top) {
		top = position;
	} else if (position >= top + tableRows) {
		top = position - tableRows + 1;
	}

	top = Math.max(0, Math.min(top, count - tableRows));
	topRef.current = top;

	const progress = useShutdownProgress(state.quitting, props.shutdownProgress);
	const detailId = state.overlay === 'detail' ? state.detailId : undefined;
	const detailView = detailId === undefined ? undefined : snapshot.sites.find(view => view.id === detailId);
	// Reload the stored checks when the site gets a new result.
	const recent = useRecentChecks(props.loadRecentChecks, detailId, detailView?.last);
	useMessageExpiry(state.message, dispatch);
	useAppKeys({
		state,
		dispatch,
		order,
		position,
		pageSize: tableRows,
		filter,
		store,
		monitor: props.monitor,
		onQuit: props.onQuit,
		onForceQuit: props.onForceQuit,
		charset,
	}, props.keyboard ?? true);

	const status = statusLine({
		state, filter, shown: count, total: snapshot.sites.length, progress, glyphs, charset,
	});
	let body;
	if (state.overlay === 'help') {
		body = <HelpOverlay width={columns} height={bodyHeight} ellipsis={glyphs.ellipsis}/>;
	} else if (state.overlay === 'detail') {
		body = (
			<DetailPane
				view={detailView}
				recent={recent}
				width={columns}
				height={bodyHeight}
				slowMs={slowMs}
				glyphs={glyphs}
				charset={charset}
				color={color}
			/>
		);
	} else {
		body = (
			<SiteTable
				sites={snapshot.sites}
				order={order}
				top={top}
				height={tableRows}
				selectedPosition={position}
				columns={tableColumns(columns)}
				sort={state.sort}
				reversed={state.reversed}
				now={now}
				slowMs={slowMs}
				glyphs={glyphs}
				charset={charset}
				color={color}
			/>
		);
	}

	return (
		<Box flexDirection='column' width={columns} height={height} overflow='hidden'>
			<Header
				totals={snapshot.totals}
				writer={props.writerStatus()}
				workers={props.workers}
				now={now}
				charset={charset}
				width={columns}
				height={header}
				ellipsis={glyphs.ellipsis}
			/>
			{body}
			<Footer status={status.text} alert={status.alert} width={columns} ellipsis={glyphs.ellipsis} color={color}/>
		</Box>
	);
}
