-- The append statement is a prepared statement: its generic plan is made once per connection, often
-- while metadata_streams is still small. With jsonb_to_recordset's default estimate (100 input rows)
-- that plan hash-joins the input with a scan of every stream, and keeps doing so as the table grows.
-- The input read through this function is estimated at one row, so advancing a stream is always an
-- index probe per event. (PL/pgSQL: a SQL-language function would be inlined, estimate and all.)
CREATE FUNCTION metadata_append_input(events jsonb) RETURNS TABLE (
  "itemId" uuid, type text, name text, version integer, kind text, patch jsonb, inverse jsonb,
  snapshot jsonb, document jsonb, "prevHash" text
) LANGUAGE plpgsql STABLE ROWS 1 AS $$
BEGIN
  RETURN QUERY SELECT * FROM jsonb_to_recordset(events) AS i(
    "itemId" uuid, type text, name text, version integer, kind text, patch jsonb, inverse jsonb,
    snapshot jsonb, document jsonb, "prevHash" text);
END
$$;

-- Its body calls stable functions (concat_ws, extract), so as IMMUTABLE it was never inlined and every
-- append ran it through the SQL-function executor; as STABLE it is inlined into the statement.
ALTER FUNCTION metadata_event_hash(text, uuid, text, text, integer, text, jsonb, jsonb, jsonb, jsonb, uuid, timestamptz) STABLE;

