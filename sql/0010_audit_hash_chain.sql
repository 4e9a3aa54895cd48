-- Hash chain version 2. An event's hash now also covers its log position and transaction, and its
-- changeset's who / why / when (actor, reason, correlation id, source, time, target): what an auditor
-- reads can no longer be edited without breaking the chain. Events and changesets written before keep
-- hash version 1 and still verify by the formula that wrote them; nothing is re-hashed.
ALTER TABLE metadata_events ADD COLUMN hash_version smallint NOT NULL DEFAULT 1;
ALTER TABLE metadata_changesets ADD COLUMN hash_version smallint NOT NULL DEFAULT 1;

-- The input is one JSON array (unambiguous where a separator-joined text is not: an actor 'a|b' and a
-- reason 'c' must not hash like 'a' and 'b|c'); times are epoch microseconds, independent of the
-- session's time zone. STABLE (json_build_array is) so the append statement inlines it.
CREATE FUNCTION metadata_event_hash_v2(
  prev_hash text, log_position bigint, tx xid8, item_id uuid, type text, name text, version integer, kind text,
  patch jsonb, inverse jsonb, snapshot jsonb, envelope jsonb, recorded_at timestamptz,
  changeset_id uuid, actor text, reason text, correlation_id text, source text, changeset_at timestamptz, target jsonb
) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(json_build_array(
    'metaledger-event-v2', prev_hash, log_position, tx::text, item_id, type, name, version, kind,
    patch, inverse, snapshot, envelope, (extract(epoch FROM recorded_at) * 1000000)::bigint,
    changeset_id, actor, reason, correlation_id, source, (extract(epoch FROM changeset_at) * 1000000)::bigint, target
  )::text, 'UTF8')), 'hex')
$$;

-- What prune removed, kept small: each removed event's place in the log and its hash. An anchor
-- (store.anchor()) taken before a prune still verifies, a prune point is checked against the events it
-- replaced, and a changeset still accounts for all of its events.
CREATE TABLE metadata_pruned_events (
  position     bigint PRIMARY KEY,
  item_id      uuid NOT NULL,
  version      integer NOT NULL,
  changeset_id uuid NOT NULL,
  recorded_at  timestamptz NOT NULL,
  hash         text NOT NULL,
  pruned_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT metadata_pruned_events_item_version UNIQUE (item_id, version)
);
CREATE INDEX metadata_pruned_events_changeset ON metadata_pruned_events (changeset_id);
