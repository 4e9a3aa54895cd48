-- What a rollback / restore / import changeset aimed at (e.g. {"rollbackTo": 3} or {"restoreTo": {...}}).
ALTER TABLE metadata_changesets ADD COLUMN target jsonb;

-- Where pruned history now starts, per item: the state after the last removed event, and that event's
-- hash, so time travel still reads every later version and the hash chain stays verifiable from the cut.
CREATE TABLE metadata_prune_points (
  item_id      uuid PRIMARY KEY,
  version      integer NOT NULL,
  document     jsonb,
  hash         text NOT NULL,
  -- the last removed event's time and position: moments at or after it are still answerable
  recorded_at  timestamptz NOT NULL,
  position     bigint NOT NULL,
  -- the item's first event: moments before it are "did not exist yet", not "pruned"
  first_recorded_at timestamptz NOT NULL,
  first_position    bigint NOT NULL,
  pruned_at    timestamptz NOT NULL DEFAULT now()
);

-- Time travel by timestamp looks up one item's last event at or before a moment.
CREATE INDEX metadata_events_item_time ON metadata_events (item_id, recorded_at);
