-- Full states written after the fact by snapshot compaction, for items whose chains run longer than the
-- snapshot interval (e.g. written before it was lowered). Outside the hash chain: derived data that
-- verify() checks against a replay of the log.
CREATE TABLE metadata_snapshots (
  item_id    uuid NOT NULL,
  version    integer NOT NULL,
  document   jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (item_id, version)
);
