import type {MonitorHandle} from '../engine/engine-types.js';
import type {Clock} from '../engine/types.js';
import type {WriterStatus} from '../storage/writer-status.js';

/** One stored check of one site, as the storage layer returns it for the detail pane. */
export type RecentCheck = {
	/** `healthcheck.check_id`. */
	readonly checkId: number;
	/** Epoch ms when the engine handed the check to the prober (or recorded the skip). */
	readonly requestedAt: number;
	/**
	Epoch ms when the request was written to the socket, what lateness is measured from; null or
	absent when no request left (a connect failure, a skipped slot) or the row predates it.
	*/
	readonly sentAt?: number | null;
	/** Epoch ms of the grid slot the check belongs to. */
	readonly scheduledAt: number;
	readonly responseTimeMs: number;
	/** HTTP status, or 598 / 530 / 555 for failures without a response. */
	readonly httpStatusCode: number;
	/** 0 fail, 1 ok, 2 not checked. */
	readonly regexMatchStatus: 0 | 1 | 2;
	readonly errorKind?: string | null;
	/** Untrusted remote text: sanitised before display. */
	readonly errorMessage?: string | null;
	/** Last redirect target; untrusted. */
	readonly finalUrl?: string | null;
};

/** Which glyphs the terminal can show. */
export type Charset = 'unicode' | 'ascii';

/** What the terminal can do, decided once from the environment. */
export type TerminalCapabilities = {
	readonly charset: Charset;
	readonly color: boolean;
};

/** Everything the interactive UI needs; the CLI wires it. */
export type AppProps = {
	/**
	The running monitor (the in-process engine or the aggregate over workers). Its snapshot is all the
	UI knows of a site's pause, and its `pause` / `resume` are how a key changes one (the monitor has
	it stored).
	*/
	readonly monitor: MonitorHandle;
	/** Read at each frame for the header's database line. */
	readonly writerStatus: () => WriterStatus;
	/** Worker processes running the engine (1 = in-process only). */
	readonly workers: number;
	/** The site's last ~20 checks, newest first, for the detail pane. */
	readonly loadRecentChecks: (siteId: number) => Promise<RecentCheck[]>;
	/** First `q` or Ctrl-C: the CLI starts draining the writer, then unmounts the UI. */
	readonly onQuit: () => void;
	/** A second Ctrl-C while draining: the CLI gives up on the drain. */
	readonly onForceQuit: () => void;
	/** Shown in the status line while draining, e.g. `writing 1,200 queued rows`. */
	readonly shutdownProgress?: () => string | undefined;
	/** Epoch ms source for "next check in" and uptime; tests pass the engine's fake clock. */
	readonly clock?: {now(): number};
	/** Default `unicode`; see `terminalCapabilities`. */
	readonly charset?: Charset;
	/** Default true; false prints no SGR sequences at all (NO_COLOR, TERM=dumb). */
	readonly color?: boolean;
	/** An up site whose last check took longer than this shows as `slow`. Default 2,000 ms. */
	readonly slowMs?: number;
	/** Minimum real time between two snapshots reaching React, ms. Default 100 (at most ~10 frames/s). */
	readonly refreshMs?: number;
	/** The time `refreshMs` is measured in. Default real time; tests pass a fake clock to count frames without sleeping. */
	readonly refreshTimers?: Clock;
	/** How stale the filtered, sorted order may get while rows stay fresh, ms of `clock` time. Default 1,000. */
	readonly resortMs?: number;
	/** False when stdin is not a terminal: no keys are read (Ink cannot enable raw mode). Default true. */
	readonly keyboard?: boolean;
};

/** How a row's status reads: the engine's status plus `slow`, a display choice. */
export type DisplayStatus = 'up' | 'down' | 'slow' | 'paused' | 'pending';

/** The `s` key cycles through these. */
export type SortKey = 'status' | 'latency' | 'url' | 'next' | 'failures';

/** The `s` cycle, in order. */
export const sortKeys: readonly SortKey[] = ['status', 'latency', 'url', 'next', 'failures'];
