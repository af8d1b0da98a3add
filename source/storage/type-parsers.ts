import {createTypeParserPreset, type DriverTypeParser} from 'slonik';

/**
Slonik's default type parsers with one change: `int8` becomes a JS number instead of a BigInt.
Our int8 values are `count(*)` results and `healthcheck.check_id`, which stay far below 2^53, and
plain numbers compare, serialise to JSON and validate with zod without special cases. Both drivers
receive this same list, so a query returns the same JS types on PostgreSQL and on PGlite:
int8 → number, timestamptz/timestamp → epoch ms (number), date → string, numeric → number,
interval → seconds (number).
*/
export function createTypeParsers(): DriverTypeParser[] {
	return createTypeParserPreset().map(parser =>
		parser.name === 'int8'
			? {name: 'int8', parse: Number}
			: parser,
	);
}
