-- Typed metadata: type definitions are items of the reserved type `_type` (their metadata holds
-- `version`, `schema` and `references`); this file records the schema version each event was written
-- under and keeps declared references whole, in the database, so every writer is held to them.

-- The definition's version current when the event was appended; null for untyped items.
ALTER TABLE metadata_events ADD COLUMN schema_version integer;

CREATE FUNCTION metadata_record_schema_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.type <> '_type' THEN
    NEW.schema_version := (SELECT (d.document->'metadata'->>'version')::integer FROM metadata_streams d
                           WHERE d.type = '_type' AND d.name = NEW.type AND d.document IS NOT NULL);
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER metadata_events_schema_version BEFORE INSERT ON metadata_events
  FOR EACH ROW EXECUTE FUNCTION metadata_record_schema_version();

-- The names a value at a reference path holds: a string, or the strings of an array.
CREATE FUNCTION metadata_reference_names(value jsonb) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
  SELECT value #>> '{}' WHERE jsonb_typeof(value) = 'string'
  UNION ALL
  SELECT e #>> '{}' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(value) = 'array' THEN value ELSE '[]'::jsonb END) e
  WHERE jsonb_typeof(e) = 'string'
$$;

-- Live items whose declared references name the item: one row per (referrer, path).
CREATE FUNCTION metadata_referrers(target_type text, target_name text)
RETURNS TABLE (type text, name text, path text) LANGUAGE sql STABLE AS $$
  SELECT s.type::text, s.name::text, r->>'path'
  FROM metadata_streams d
  CROSS JOIN LATERAL jsonb_array_elements(COALESCE(d.document->'metadata'->'references', '[]'::jsonb)) r
  JOIN metadata_streams s ON s.type = d.name AND s.document IS NOT NULL
  WHERE d.type = '_type' AND d.document IS NOT NULL AND r->>'type' = target_type
    AND target_name IN (SELECT metadata_reference_names(s.document->'metadata' #> string_to_array(r->>'path', '.')))
  ORDER BY 1, 2, 3
$$;

-- After each event: an item that is gone must have no referrers (unless its changeset says force), and
-- an item that is there must name only live items. The referencing side writes each target's stream row
-- (changing nothing), so a delete of the target either commits first (the reference is then refused) or
-- waits for the reference to commit and then sees it: at read committed through the fresh snapshot each
-- check takes, at repeatable read and serializable by failing as a conflict and re-planning.
CREATE FUNCTION metadata_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  current jsonb;
  referrers jsonb;
  declared jsonb;
  target text;
BEGIN
  SELECT s.document INTO current FROM metadata_streams s WHERE s.item_id = NEW.item_id;
  IF current IS NULL THEN
    IF COALESCE((SELECT c.target->>'references' FROM metadata_changesets c WHERE c.id = NEW.changeset_id), '') = 'force' THEN
      RETURN NULL;
    END IF;
    SELECT jsonb_agg(jsonb_build_object('type', r.type, 'name', r.name, 'path', r.path)) INTO referrers
      FROM metadata_referrers(NEW.type, NEW.name) r;
    IF referrers IS NOT NULL THEN
      RAISE EXCEPTION '% is referenced by %', NEW.type || '/' || NEW.name, referrers::text
        USING ERRCODE = 'ML423', DETAIL = referrers::text;
    END IF;
    RETURN NULL;
  END IF;
  FOR declared IN
    SELECT r FROM metadata_streams d
    CROSS JOIN LATERAL jsonb_array_elements(COALESCE(d.document->'metadata'->'references', '[]'::jsonb)) r
    WHERE d.type = '_type' AND d.name = NEW.type AND d.document IS NOT NULL
  LOOP
    FOR target IN SELECT metadata_reference_names(current->'metadata' #> string_to_array(declared->>'path', '.')) LOOP
      -- an update that changes nothing, not a lock: a repeatable read or serializable delete of the target
      -- that started before this commits then fails as a conflict and re-plans (a lock would not do that)
      UPDATE metadata_streams t SET updated_at = t.updated_at
        WHERE t.type = declared->>'type' AND t.name = target AND t.document IS NOT NULL;
      IF NOT FOUND THEN
        RAISE EXCEPTION '%/% does not exist', declared->>'type', target
          USING ERRCODE = 'ML422', DETAIL = jsonb_build_object('path', 'metadata.' || (declared->>'path'),
            'type', declared->>'type', 'name', target)::text;
      END IF;
    END LOOP;
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER metadata_events_references AFTER INSERT ON metadata_events
  FOR EACH ROW EXECUTE FUNCTION metadata_check_references();
