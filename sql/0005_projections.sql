-- Per async projection: how far into the log (in commit order) it has applied, and how it is doing.
CREATE TABLE metadata_checkpoints (
  projection     text PRIMARY KEY,
  tx_id          xid8 NOT NULL DEFAULT '0'::xid8,
  position       bigint NOT NULL DEFAULT 0,
  events_applied bigint NOT NULL DEFAULT 0,
  last_error     text,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
