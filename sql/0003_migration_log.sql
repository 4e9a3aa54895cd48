-- Every schema operation on the projection table and its backups (MetadataDriver.migrate, and what
-- autoMigrate does on open): who ran what, when, and how it ended. The event log is never the target.
CREATE TABLE metadata_migration_log (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  operation       text NOT NULL CHECK (operation IN ('create', 'alter', 'drop', 'backup', 'restore')),
  target_schema   text NOT NULL,
  target_table    text NOT NULL,
  -- the backup this operation made (a backup, or one taken by backupBeforeMigrate) ...
  backup_name     text,
  -- ... and the one it read (restore) or removed (drop of a backup)
  used_backup     text,
  -- the caller's script, and the SQL that actually ran (generated DDL, backup copies, rebuilds)
  script          text,
  rollback_script text,
  executed_sql    text,
  dry_run         boolean NOT NULL DEFAULT false,
  outcome         text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'rolled_back', 'dry_run')),
  error           text,
  -- set when this entry ran the rollbackScript of an earlier one on request
  rollback_of     bigint REFERENCES metadata_migration_log (id),
  actor           text NOT NULL DEFAULT current_user,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX metadata_migration_log_target ON metadata_migration_log (target_schema, target_table, id);
