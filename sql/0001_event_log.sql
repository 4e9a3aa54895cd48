-- The event log: the single source of truth. Every other table is derived from it.

-- One row per save / bulk / rollback / restore / import: who and why, recorded once.
CREATE TABLE metadata_changesets (
  id             uuid PRIMARY KEY,
  actor          text,
  reason         text,
  correlation_id text,
  source         text NOT NULL DEFAULT 'api',
  event_count    integer NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX metadata_changesets_created_at ON metadata_changesets (created_at);
CREATE INDEX metadata_changesets_actor ON metadata_changesets (actor, created_at);

-- One row per item: the head of its stream. The expected-version check is a conditional write here.
CREATE TABLE metadata_streams (
  item_id    uuid PRIMARY KEY,
  type       varchar(100) NOT NULL,
  name       varchar(255) NOT NULL,
  version    integer NOT NULL CHECK (version > 0),
  hash       text NOT NULL,
  -- the item's current state; null while deleted
  document   jsonb,
  updated_at timestamptz NOT NULL,
  CONSTRAINT metadata_streams_type_name UNIQUE (type, name)
);

-- One row per change of one item. Append-only; auditors query it with plain SQL.
CREATE TABLE metadata_events (
  position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tx_id        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  item_id      uuid NOT NULL,
  type         varchar(100) NOT NULL,
  name         varchar(255) NOT NULL,
  version      integer NOT NULL CHECK (version > 0),
  kind         text NOT NULL CHECK (kind IN ('created', 'updated', 'deleted', 'archived', 'restored', 'rolled_back')),
  -- RFC 6902 from the previous state, and back to it
  patch        jsonb NOT NULL,
  inverse      jsonb NOT NULL,
  -- the full state: on create, on delete (the state before it) and every N versions
  snapshot     jsonb,
  namespace    varchar(255),
  scope        varchar(50),
  state        varchar(50),
  owner        varchar(255),
  extends      varchar(255),
  strategy     varchar(50),
  changeset_id uuid NOT NULL REFERENCES metadata_changesets (id),
  recorded_at  timestamptz NOT NULL,
  prev_hash    text,
  hash         text NOT NULL,
  CONSTRAINT metadata_events_item_version UNIQUE (item_id, version)
);
CREATE INDEX metadata_events_commit_order ON metadata_events (tx_id, position);
CREATE INDEX metadata_events_changeset ON metadata_events (changeset_id);
CREATE INDEX metadata_events_recorded_at ON metadata_events (recorded_at);

-- The per-item hash chain: each event's hash covers its content and the previous event's hash, so an
-- edited, removed or reordered event breaks the chain. Computed in SQL so verification needs nothing else.
CREATE FUNCTION metadata_event_hash(
  prev_hash text, item_id uuid, type text, name text, version integer, kind text,
  patch jsonb, inverse jsonb, snapshot jsonb, envelope jsonb, changeset_id uuid, recorded_at timestamptz
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws('|',
    coalesce(prev_hash, ''), item_id::text, type, name, version::text, kind,
    patch::text, inverse::text, coalesce(snapshot::text, ''), envelope::text, changeset_id::text,
    (extract(epoch FROM recorded_at) * 1000000)::bigint::text
  ), 'UTF8')), 'hex')
$$;

-- Aborts the whole append statement when some stream did not advance (its version moved).
CREATE FUNCTION metadata_expect_appended(appended bigint, expected bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF appended <> expected THEN
    RAISE EXCEPTION 'metaledger version conflict: % of % streams advanced', appended, expected USING ERRCODE = 'ML409';
  END IF;
  RETURN appended;
END
$$;
