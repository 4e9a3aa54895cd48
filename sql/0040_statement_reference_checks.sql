-- Reference checks (0020) run once per statement instead of once per event: an append of thousands of
-- events (a bulk operation, an import) paid a trigger call and two lookups per event, although in most
-- stores no type declares a reference. The check of each event is 0020's, in log order; when no type
-- declares a reference it could find nothing, so it is skipped.

DROP TRIGGER metadata_events_references ON metadata_events;
DROP FUNCTION metadata_check_references();

-- 0020's check of one event: an item that is gone must have no referrers (unless its changeset says
-- force), and an item that is there must name only live items. The referencing side writes each target's
-- stream row (changing nothing), so a delete of the target either commits first (the reference is then
-- refused) or waits for the reference to commit and then sees it: at read committed through the fresh
-- snapshot each check takes, at repeatable read and serializable by failing as a conflict and re-planning.
CREATE FUNCTION metadata_check_event_references(event_item_id uuid, event_type text, event_name text, event_changeset_id uuid)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  current jsonb;
  referrers jsonb;
  declared jsonb;
  target text;
BEGIN
  SELECT s.document INTO current FROM metadata_streams s WHERE s.item_id = event_item_id;
  IF current IS NULL THEN
    IF COALESCE((SELECT c.target->>'references' FROM metadata_changesets c WHERE c.id = event_changeset_id), '') = 'force' THEN
      RETURN;
    END IF;
    SELECT jsonb_agg(jsonb_build_object('type', r.type, 'name', r.name, 'path', r.path)) INTO referrers
      FROM metadata_referrers(event_type, event_name) r;
    IF referrers IS NOT NULL THEN
      RAISE EXCEPTION '% is referenced by %', event_type || '/' || event_name, referrers::text
        USING ERRCODE = 'ML423', DETAIL = referrers::text;
    END IF;
    RETURN;
  END IF;
  FOR declared IN
    SELECT r FROM metadata_streams d
    CROSS JOIN LATERAL jsonb_array_elements(COALESCE(d.document->'metadata'->'references', '[]'::jsonb)) r
    WHERE d.type = '_type' AND d.name = event_type AND d.document IS NOT NULL
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
END $$;

-- After each statement that appends events: each event's check, in log order, unless no live type
-- definition declares a reference (then no event can refer to an item or be referred to).
CREATE FUNCTION metadata_check_appended_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event record;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM metadata_streams d
    WHERE d.type = '_type' AND d.document IS NOT NULL
      AND jsonb_typeof(d.document->'metadata'->'references') = 'array'
      AND jsonb_array_length(d.document->'metadata'->'references') > 0
  ) THEN
    RETURN NULL;
  END IF;
  FOR event IN SELECT a.item_id, a.type, a.name, a.changeset_id FROM appended a ORDER BY a.position LOOP
    PERFORM metadata_check_event_references(event.item_id, event.type, event.name, event.changeset_id);
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER metadata_events_references AFTER INSERT ON metadata_events
  REFERENCING NEW TABLE AS appended
  FOR EACH STATEMENT EXECUTE FUNCTION metadata_check_appended_references();
