-- Named releases: a tag names a log position, once and for good. Tags form a hash chain of their own
-- (each hash covers the tag, the hash of the log's event at its position and the previous tag's hash),
-- and each tag is also recorded as a changeset (source 'tag'), so verify() finds a tag that was edited,
-- moved, removed or reordered behind the store's back.
CREATE TABLE metadata_tags (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL,
  position     bigint NOT NULL CHECK (position >= 0),
  -- the hash of the last event at or before the position (null: the log was empty there)
  log_hash     text,
  message      text,
  actor        text,
  changeset_id uuid NOT NULL, -- no foreign key: verify() checks the link, and a tampered one is a finding, not an error
  created_at   timestamptz NOT NULL,
  prev_hash    text,
  hash         text NOT NULL,
  CONSTRAINT metadata_tags_name UNIQUE (name)
);

-- One JSON array as input (unambiguous), times as epoch microseconds (independent of the time zone).
CREATE FUNCTION metadata_tag_hash(
  prev_hash text, name text, log_position bigint, log_hash text, message text, actor text, changeset_id uuid, created_at timestamptz
) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(json_build_array(
    'metaledger-tag-v1', prev_hash, name, log_position, log_hash, message, actor, changeset_id,
    (extract(epoch FROM created_at) * 1000000)::bigint
  )::text, 'UTF8')), 'hex')
$$;
