// Undici's internal symbols module (no type declarations of its own); see `exchange.ts` for the one used.
declare module 'undici/lib/core/symbols.js' {
	const symbols: Readonly<Record<string, unknown>>;
	export default symbols;
}
