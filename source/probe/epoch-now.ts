/**
Epoch ms with sub-millisecond precision (Date.now() has whole milliseconds): when a request is written
to its connection, the moment the site is really asked, from which lateness is measured.
*/
export function epochNow(): number {
	return performance.timeOrigin + performance.now();
}
