/*
Bounds on a sites file, each checked while reading it, before the database is touched, so input
that cannot work fails at once with its file, line and field instead of deep inside PostgreSQL, RE2
or V8. Each bound is far above what a real site list holds.
*/

/**
The largest sites file, bytes: 512 MiB. A million typical rows (`host/path,interval[,regex]`) take
about 40 MB; the file is read as a stream and never held whole, but every site it lists is, so the
bound keeps a mistaken argument (a log, a disk image) from filling memory before any row fails.
*/
export const maxSitesFileBytes = 512 * 1024 * 1024;

/**
The longest line, characters: 16 KiB. The longest URL and the longest regex, both quoted with every
quote doubled, fit; a longer line is not a site, and reading stops before it is held in memory.
*/
export const maxLineLength = 16 * 1024;

/**
The longest URL, bytes once normalised (normalised URLs are ASCII): 2,048. `website.url_uq` has a
unique btree index, and a btree entry must fit in a third of a PostgreSQL page (2,704 bytes with its
header), so a URL of about 2,700 bytes would fail inside the database; 2,048 is also what sitemaps
and most CDNs accept, and leaves room for the percent-encoding normalisation adds.
*/
export const maxUrlBytes = 2048;

/**
The longest regex, characters: 1,024. RE2 compiles in time and memory that grow with the pattern (a
1 MB pattern stalls the event loop for about 2 s, 5 MB needs 1.8 GB), and the prober compiles
patterns on its event loop; a health check's pattern is a phrase or two.
*/
export const maxRegexLength = 1024;

/**
The largest compiled regex, RE2 instructions: 10,000. Counted repetition multiplies (`a{1000}` is
7 characters and 1,000 instructions), and matching costs time per body byte per instruction; 10,000
compile in about 15 ms and leave room for `[a-z]{1,1000}` (2,001).
*/
export const maxRegexInstructions = 10_000;
