/**
Storage: the database (PostgreSQL or embedded PGlite behind one Slonik pool), its schema, the
sites repository and the batched result writer.
*/
export {openDatabase, type Database, type OpenDatabaseOptions} from './open-database.js';
export {migrate, dropTables, latestSchemaVersion} from './migrations.js';
export {
	upsertSites,
	loadSites,
	setPaused,
	recentChecks,
	countChecks,
	type SiteInput,
	type StoredCheck,
} from './sites-repository.js';
export {
	createBatchedResultWriter,
	type BatchedResultWriter,
	type BatchedResultWriterOptions,
	type ResultWriterStats,
} from './batched-result-writer.js';
export {createPgliteDriverFactory} from './pglite-driver.js';
export {createTypeParsers} from './type-parsers.js';
export {tlsOptionsForSslMode} from './postgres-connection.js';
export {lockFileName} from './pglite-lock.js';
export type {DatabaseTarget, SslMode} from './types.js';
export {openMonitorStorage, type MonitorStorage, type MonitorStorageOptions} from './monitor-storage.js';
export {
	drainWriter, drainProgress, exitCodeAfterClose, exitResultsJournaled, exitResultsLost, forcedStopKeeps,
} from './drain-writer.js';
export {
	openDurableRowQueue, createMemoryOnlyRowQueue, defaultMaxJournalBytes, defaultMaxMemoryRows, type DurableRowQueue,
} from './durable-row-queue.js';
export {holdWhileFull} from './hold-while-full.js';
export {journalDirectoryFor, openJournalDirectory} from './journal-directory.js';
