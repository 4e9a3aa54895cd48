import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

// The tables of sql/*.sql as Kysely sees them, one interface per table. Read types are what the
// datasource returns (int8 as number, timestamptz as Date, xid8 as text); columns the database fills
// (identities, defaults) are optional on insert. JSON columns are typed as JSON here (the datasource is
// the bottom layer); the layers above read them as their own shapes (documents, patches).

/** A jsonb object column. */
type JsonObject = Record<string, unknown>;

/** A column the database fills on insert (an identity or a default) and callers never update. */
type Filled<T> = ColumnType<T, T | undefined, never>;

/** `metadata_changesets` (0001, 0004, 0010): who and why, once per save / bulk / rollback / restore / import. */
export interface ChangesetsTable {
  id: string;
  actor: string | null;
  reason: string | null;
  correlation_id: string | null;
  source: Generated<string>;
  event_count: number;
  created_at: Generated<Date>;
  /** What a rollback / restore / import aimed at. */
  target: JsonObject | null;
  hash_version: Generated<number>;
}

/** `metadata_streams` (0001): the head of each item's stream. */
export interface StreamsTable {
  item_id: string;
  type: string;
  name: string;
  version: number;
  hash: string;
  /** Null while the item is deleted. */
  document: JsonObject | null;
  updated_at: Date;
}

/** `metadata_events` (0001, 0010): the append-only log, one row per change of one item. */
export interface EventsTable {
  position: Filled<number>;
  tx_id: Filled<string>;
  item_id: string;
  type: string;
  name: string;
  version: number;
  kind: 'created' | 'updated' | 'deleted' | 'archived' | 'restored' | 'rolled_back';
  patch: JsonObject[];
  inverse: JsonObject[];
  snapshot: JsonObject | null;
  namespace: string | null;
  scope: string | null;
  state: string | null;
  owner: string | null;
  extends: string | null;
  strategy: string | null;
  changeset_id: string;
  recorded_at: Date;
  prev_hash: string | null;
  hash: string;
  hash_version: Generated<number>;
}

/**
 * `_framework_metadata` (0002): the query projection, with the protocol's columns plus `version`. Its
 * configured name and column names (`tableSchema`) may differ; the columns are these.
 */
export interface FrameworkMetadataRowTable {
  id: string;
  name: string;
  type: string;
  namespace: Generated<string | null>;
  scope: Generated<string | null>;
  metadata: JsonObject;
  extends: string | null;
  strategy: Generated<string | null>;
  owner: string | null;
  state: Generated<string | null>;
  created_by: string | null;
  created_at: Date | null;
  updated_by: string | null;
  updated_at: Date | null;
  version: Generated<number>;
}

/** `metadata_migration_log` (0003): every schema operation on the projection table and its backups. */
export interface MigrationLogTable {
  id: Filled<number>;
  operation: 'create' | 'alter' | 'drop' | 'backup' | 'restore';
  target_schema: string;
  target_table: string;
  backup_name: string | null;
  used_backup: string | null;
  script: string | null;
  rollback_script: string | null;
  executed_sql: string | null;
  dry_run: Generated<boolean>;
  outcome: 'succeeded' | 'failed' | 'rolled_back' | 'dry_run';
  error: string | null;
  rollback_of: number | null;
  actor: Generated<string>;
  started_at: Date;
  finished_at: Generated<Date>;
}

/** `metaledger_migrations` (created by the migrator itself): each applied sql/ file and its checksum. */
export interface AppliedMigrationsTable {
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

/** `metadata_prune_points` (0004): where pruned history now starts, per item. */
export interface PrunePointsTable {
  item_id: string;
  version: number;
  document: JsonObject | null;
  hash: string;
  recorded_at: Date;
  position: number;
  first_recorded_at: Date;
  first_position: number;
  pruned_at: Generated<Date>;
}

/** `metadata_pruned_events` (0010): each event prune removed, by its place in the log and its hash. */
export interface PrunedEventsTable {
  position: number;
  item_id: string;
  version: number;
  changeset_id: string;
  recorded_at: Date;
  hash: string;
  pruned_at: Generated<Date>;
}

/** `metadata_snapshots` (0007): full states written by compaction, outside the hash chain. */
export interface SnapshotsTable {
  item_id: string;
  version: number;
  document: JsonObject | null;
  created_at: Generated<Date>;
}

/** `metadata_checkpoints` (0005): how far into the log each async projection has applied. */
export interface CheckpointsTable {
  projection: string;
  tx_id: Generated<string>;
  position: Generated<number>;
  events_applied: Generated<number>;
  last_error: string | null;
  updated_at: Generated<Date>;
}

/** `metadata_access_refusals` (0006): calls the scope access control refused. */
export interface AccessRefusalsTable {
  id: Filled<number>;
  refused_at: Generated<Date>;
  principal: string | null;
  roles: Generated<string[]>;
  operation: 'read' | 'create' | 'update' | 'delete';
  type: string;
  name: string | null;
  scope: string | null;
  owner: string | null;
  reason: string;
  source: string;
  correlation_id: string | null;
}

/** `metadata_tags` (0035): release tags, each a named log position in a hash chain of their own. */
export interface TagsTable {
  seq: Generated<number>;
  name: string;
  position: number;
  log_hash: string | null;
  message: string | null;
  actor: string | null;
  changeset_id: string;
  created_at: Date;
  prev_hash: string | null;
  hash: string;
}

/** Every table of a metaledger schema, by name: the one type of the datasource's Kysely. */
export interface MetaledgerDatabase {
  metadata_changesets: ChangesetsTable;
  metadata_streams: StreamsTable;
  metadata_events: EventsTable;
  _framework_metadata: FrameworkMetadataRowTable;
  metadata_migration_log: MigrationLogTable;
  metaledger_migrations: AppliedMigrationsTable;
  metadata_prune_points: PrunePointsTable;
  metadata_pruned_events: PrunedEventsTable;
  metadata_snapshots: SnapshotsTable;
  metadata_checkpoints: CheckpointsTable;
  metadata_access_refusals: AccessRefusalsTable;
  metadata_tags: TagsTable;
}

/** The datasource's query builder (or one of its transactions): what every layer above takes. */
export type MetaledgerDb = Kysely<MetaledgerDatabase>;

/** A transaction of the datasource's query builder. */
export type MetaledgerTransaction = Transaction<MetaledgerDatabase>;
