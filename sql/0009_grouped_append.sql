-- One append statement may carry the changesets of several concurrent saves (group commit): each
-- event names its changeset.
DROP FUNCTION metadata_append_input(jsonb);
CREATE FUNCTION metadata_append_input(events jsonb) RETURNS TABLE (
  "itemId" uuid, type text, name text, version integer, kind text, patch jsonb, inverse jsonb,
  snapshot jsonb, document jsonb, "prevHash" text, "changesetId" uuid
) LANGUAGE plpgsql STABLE ROWS 1 AS $$
BEGIN
  RETURN QUERY SELECT * FROM jsonb_to_recordset(events) AS i(
    "itemId" uuid, type text, name text, version integer, kind text, patch jsonb, inverse jsonb,
    snapshot jsonb, document jsonb, "prevHash" text, "changesetId" uuid);
END
$$;
