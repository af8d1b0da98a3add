/**
The interactive front end: an Ink UI over the monitor's snapshot. The CLI calls `renderApp` when
stdout is a TTY (and not CI), with `terminalCapabilities(process.env)` spread into the props.
*/
export {renderApp, restoreTerminal, type AppHandle, type RenderAppOptions} from './render-app.js';
export {terminalCapabilities} from './terminal-capabilities.js';
export type {AppProps, Charset, RecentCheck, TerminalCapabilities} from './types.js';
