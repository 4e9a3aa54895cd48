// The one public barrel: everything a user of metaledger imports comes from here.
export * from './protocol/index.js';
export { MetaledgerError, ValidationError, ConflictError, NotFoundError, isMetaledgerError } from './errors.js';
export type { ErrorCode, ValidationIssue } from './errors.js';
export { createMetadataStore } from './store/create-store.js';
export type { CreateMetadataStoreOptions } from './store/create-store.js';
export { MetadataStore } from './store/metadata-store.js';
export type { SaveOptions, SaveResult, LoadResult, WriteContext, Isolation } from './store/metadata-store.js';
export type { StoredRecord, ListFilters } from './store/read-records.js';
export type { ItemDocument, EventKind } from './events/document.js';
export { migrate } from './migrate/migrator.js';
