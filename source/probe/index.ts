/**
The prober: checks one URL over HTTP(S) and always returns a `ProbeOutcome`, never a rejection.
*/
export {createProber, type Prober, type ProberOptions} from './create-prober.js';
export {classifyError, statusForKind, toSingleLine, maxMessageLength, type ClassifiedError} from './classify-error.js';
export {createCachedLookup, type CachedLookupOptions, type Resolve} from './dns-cache.js';
export {compilePattern, type CompiledPattern} from './safe-regex.js';
export {createRegexMatcher, type RegexMatcher, type RegexMatcherOptions, type RegexMatchResult, type RegexMatcherStats} from './regex-matcher.js';
