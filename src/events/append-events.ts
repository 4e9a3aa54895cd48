import type { SqlRunner } from '../datasource/sql-runner.js';
import { inlineProjectionCtes, type FrameworkMetadataTable } from '../../projections/framework-metadata.js';
import type { ItemDocument, EventKind } from './document.js';
import type { PatchOperation } from './patch.js';

/** One event to append: the item's next version and how it got there from the previous one. */
export interface PendingEvent {
  itemId: string;
  type: string;
  name: string;
  /** The version this event creates; the stream must currently be at version - 1. */
  version: number;
  kind: EventKind;
  patch: PatchOperation[];
  inverse: PatchOperation[];
  snapshot: ItemDocument | null;
  /** The state after the event; null when the item is deleted. */
  document: ItemDocument | null;
  prevHash: string | null;
}

export interface ChangesetInfo {
  id: string;
  actor?: string;
  reason?: string;
  correlationId?: string;
  source: string;
  /** What a rollback / restore aimed at, for the audit trail. */
  target?: Record<string, unknown>;
}

export interface AppendedEvent {
  position: number;
  itemId: string;
  type: string;
  name: string;
  version: number;
  kind: EventKind;
  hash: string;
  recordedAt: string;
}

// A changeset written by several statements (a bulk operation in batches) is inserted once up front;
// each batch joins it and must name the same actor, reason, correlation id, source and target.
const joinExistingChangeset = `
  SELECT id, created_at FROM metadata_changesets
  WHERE id = $2::uuid AND actor IS NOT DISTINCT FROM $3::text AND reason IS NOT DISTINCT FROM $4::text
    AND correlation_id IS NOT DISTINCT FROM $5::text AND source = $6::text AND target IS NOT DISTINCT FROM $8::jsonb`;

/**
 * The append statement: changeset, stream heads (advanced only at the expected version), events with
 * their hash chain, and the inline projection, all in ONE statement — one round trip, one commit.
 * If any stream did not advance, metadata_expect_appended raises ML409 and nothing is written.
 */
export function buildAppendStatement(
  projection: FrameworkMetadataTable,
  options: { changesetExists?: boolean; inlineProjection?: boolean } = {},
): string {
  return `
WITH input AS (SELECT * FROM metadata_append_input($1::jsonb)),
changeset AS (${options.changesetExists ? joinExistingChangeset : `
  -- millisecond precision: a time read back into a JS Date must select exactly the same events
  INSERT INTO metadata_changesets (id, actor, reason, correlation_id, source, event_count, target, created_at)
  VALUES ($2::uuid, $3, $4, $5, $6, $7::integer, $8::jsonb, date_trunc('milliseconds', now()))
  RETURNING id, created_at`}
),
hashed AS (
  SELECT i."itemId" AS item_id, i.type, i.name, i.version, i.kind, i.patch, i.inverse, i.snapshot, i.document,
         i."prevHash" AS prev_hash, c.id AS changeset_id, c.created_at AS recorded_at, env.envelope,
         metadata_event_hash(i."prevHash", i."itemId", i.type, i.name, i.version, i.kind, i.patch, i.inverse,
                             i.snapshot, env.envelope, c.id, c.created_at) AS hash
  FROM input i
  CROSS JOIN changeset c
  CROSS JOIN LATERAL (
    SELECT jsonb_build_object(
      'namespace', src->>'namespace', 'scope', src->>'scope', 'state', src->>'state',
      'owner', src->>'owner', 'extends', src->>'extends', 'strategy', src->>'strategy') AS envelope
    FROM (SELECT coalesce(i.document, i.snapshot) AS src) s
  ) env
),
-- a known stream advances only from the expected version; a new one is created only if no stream
-- has its (type, name) or id: any other outcome leaves a stream out, and the statement fails below
advanced AS (
  UPDATE metadata_streams s
  SET version = h.version, hash = h.hash, document = h.document, updated_at = h.recorded_at
  FROM hashed h
  WHERE h.version > 1 AND s.item_id = h.item_id AND s.version = h.version - 1
  RETURNING s.type, s.name
),
started AS (
  INSERT INTO metadata_streams (item_id, type, name, version, hash, document, updated_at)
  SELECT item_id, type, name, version, hash, document, recorded_at FROM hashed WHERE version = 1
  ON CONFLICT DO NOTHING
  RETURNING type, name
),
stream AS (SELECT * FROM advanced UNION ALL SELECT * FROM started),
-- events and projection rows are written only when every stream advanced (else the statement fails
-- below anyway): one check, not a join per row, which the one-row input estimate would make quadratic
complete AS (SELECT count(*) = $7::bigint AS ok FROM stream),
appended AS (
  INSERT INTO metadata_events (item_id, type, name, version, kind, patch, inverse, snapshot,
                               namespace, scope, state, owner, extends, strategy,
                               changeset_id, recorded_at, prev_hash, hash)
  SELECT h.item_id, h.type, h.name, h.version, h.kind, h.patch, h.inverse, h.snapshot,
         h.envelope->>'namespace', h.envelope->>'scope', h.envelope->>'state', h.envelope->>'owner',
         h.envelope->>'extends', h.envelope->>'strategy', h.changeset_id, h.recorded_at, h.prev_hash, h.hash
  FROM hashed h WHERE (SELECT ok FROM complete)
  RETURNING position, item_id, type, name, version, kind, hash, recorded_at
)${options.inlineProjection === false ? '' : `,
${inlineProjectionCtes(projection, '$3')}`}
SELECT metadata_expect_appended((SELECT count(*) FROM stream), $7::bigint) AS appended,
       (SELECT json_agg(json_build_object(
          'position', position, 'itemId', item_id, 'type', type, 'name', name, 'version', version,
          'kind', kind, 'hash', hash, 'recordedAt', recorded_at) ORDER BY position) FROM appended) AS events`;
}

export async function appendEvents(run: SqlRunner, statement: string, changeset: ChangesetInfo, events: PendingEvent[]): Promise<AppendedEvent[]> {
  const parameters = [
    JSON.stringify(events),
    changeset.id,
    changeset.actor ?? null,
    changeset.reason ?? null,
    changeset.correlationId ?? null,
    changeset.source,
    events.length,
    changeset.target ? JSON.stringify(changeset.target) : null,
  ];
  const [row] = await run<{ events: AppendedEvent[] | null }>(statement, parameters);
  return (row?.events ?? []).map((event) => ({ ...event, position: Number(event.position) }));
}
