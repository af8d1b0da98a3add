/*
Patterns and bodies that make re2js slow despite its linear time (numbers from Node 24 on a laptop):
over random a/b text its lazy DFA keeps building new states for `[ab]*a[ab]{120}$` (~200 ms to
1 s per MiB), and `(.{0,50}a){20}$` takes ~15 s per MiB. Neither can match a body whose last 121
bytes are all `b`, so the verdict is known without running them.
*/

/** ~200 ms on 1 MiB of `abText`: too slow for the event loop, fast enough for a test. */
export const slowPattern = '[ab]*a[ab]{120}$';

/** ~15 s on 1 MiB of `abText`: only a timeout ends it. */
export const endlessPattern = '(.{0,50}a){20}$';

export const mebibyte = 1024 * 1024;

/** `size` pseudo-random `a`s and `b`s (the same every run), ending in 256 `b`s. */
export function abText(size: number): string {
	let seed = 7;
	const bytes = new Uint8Array(size).fill(0x62);
	for (let index = 0; index < size - 256; index++) {
		seed = ((seed * 1_103_515_245) + 12_345) & 0x7F_FF_FF_FF;
		bytes[index] = seed & 0x1_00_00 ? 0x61 : 0x62;
	}

	return new TextDecoder().decode(bytes);
}

/** The UTF-8 bytes of `text` in a buffer of their own (transferable). */
export function bytesOf(text: string): Uint8Array {
	return new TextEncoder().encode(text);
}
