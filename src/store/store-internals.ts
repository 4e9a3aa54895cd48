import type { MetaledgerDb } from '../datasource/database-schema.js';
import type { FrameworkMetadataTable } from '../table/framework-metadata-table.js';
import type { ChangedItems } from '../cache/change-notifications.js';
import type { PayloadCheck } from '../write/payload-check.js';
import type { Datasource } from '../datasource/datasource.js';
import type { AppendedEvent, PendingEvent } from '../events/append-events.js';
import type { CommitChangesetOptions, HistoryWriter } from '../history/history-writer.js';
import type { InputLimits } from '../input/input-limits.js';
import type { ProjectionDefinition } from '../projections/projection.js';
import type { ProjectionSettings } from '../projections/projection-runner.js';
import type { GroupCommitLimits } from '../write/append-batcher.js';
import type { Isolation, WriteContext } from '../write/changeset-committer.js';
import type { SnapshotPolicy } from '../write/plan-write.js';
import type { StoredRecord } from './read-records.js';
import type { RetryPolicy } from '../write/retry.js';

/** A store's settings, resolved by createMetadataStore. */
export interface StoreSettings {
  retry: RetryPolicy;
  isolation: Isolation;
  timeoutMs: number;
  cache: { enabled: boolean; ttlSeconds: number; invalidateOnWrite: boolean };
  snapshot: SnapshotPolicy;
  table: FrameworkMetadataTable;
  projections?: ProjectionSettings;
  groupCommit: GroupCommitLimits;
  /** How large one record may be. */
  limits: InputLimits;
  /** Never shown: used to scrub error messages. */
  secrets: (string | undefined)[];
}

/** The projections metaledger ships, as the composition root (createMetadataStore) hands them to a store. */
export interface ShippedProjections {
  /** framework-metadata over the configured table: the projection the driver queries. */
  frameworkMetadata: ProjectionDefinition;
  /** Its inline form: CTEs the append statement runs, so a save stays one round trip. */
  frameworkMetadataInline: string;
  /** Reads the collection-info projection (MetadataCollectionInfo per type). */
  readCollectionInfo(db: MetaledgerDb): Promise<{ type: string; count: number; namespaces: string[] }[]>;
}

/**
 * What the driver, the service, the history writers and the release tools use of a store beside its public
 * API. Not part of the package's API: `internalsOf(store)` hands it to code inside metaledger.
 */
export interface StoreInternals extends HistoryWriter {
  /** Starts listening for other stores' changes and the projection machinery (createMetadataStore calls it once). */
  start(): Promise<void>;
  readonly datasource: Datasource;
  readonly settings: StoreSettings;
  /**
   * For writers beside the store (bulk, rollback, restore, import, revert, promotion): plans and appends one
   * changeset (or one part of an opened one) through the store's commit, retries included.
   */
  commitChangeset<P>(
    context: WriteContext & { source: string; target?: Record<string, unknown> },
    planner: (db: MetaledgerDb) => Promise<{ result: P; events: PendingEvent[] }>,
    options?: CommitChangesetOptions,
  ): Promise<{ result: P; appended: AppendedEvent[]; retries: number; changesetId?: string; replayed: boolean }>;
  /** Creates an empty changeset that several commits fill (`joinsChangeset`, a bulk operation batch by batch); resolves to its id. */
  openChangeset(context: WriteContext & { source: string }): Promise<string>;
  /** Records how many events joined an opened changeset, or removes it when none did; resolves to whether any did. */
  settleChangeset(id: string): Promise<boolean>;
  /** Items were written beside the store's own paths: forget them here and tell watchers, projections and this process's stores. */
  announceChanges(items: ChangedItems): void;
  /** Seeds the cache with records read in bulk (performance.prefetchOnInit), so first loads need no query. Frozen, as every cached record. */
  primeCache(records: StoredRecord[]): void;
  /**
   * The payload check against the type definitions as they are now, for writers beside the store's own paths
   * (bulk, import). Writers ask for it before they send anything: a connection failure here is a write not applied.
   */
  payloadCheck(): Promise<PayloadCheck>;
}
