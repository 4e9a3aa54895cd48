import { changeNoticeSql, type ChangeNotice } from '../cache/change-notifications.js';
import type { SqlRunner } from '../datasource/sql-runner.js';
import type { ItemDocument, EventKind } from './document.js';
import { changesetHashInputs, envelopeFields, eventHashV2Sql, hashEnvelopeSql } from './event-hash.js';
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

/**
 * The hash formula new events and changesets are written with (`metadata_event_hash_v2`: the event, its
 * log position and transaction, and its changeset's who / why / when). Version 1 events verify by theirs.
 */
export const hashVersion = 2;

/** The columns of the changesets parameter: one object per changeset of the statement. */
const changesetInput = `jsonb_to_recordset($2::jsonb) AS c(id uuid, actor text, reason text, "correlationId" text, source text, "eventCount" integer, target jsonb)`;

// A changeset written by several statements (a bulk operation in batches) is inserted once up front;
// each batch joins it and must name the same actor, reason, correlation id, source and target.
const joinExistingChangeset = `
  SELECT m.id, m.actor, m.reason, m.correlation_id, m.source, m.target, m.created_at FROM metadata_changesets m JOIN ${changesetInput}
    ON m.id = c.id AND m.actor IS NOT DISTINCT FROM c.actor AND m.reason IS NOT DISTINCT FROM c.reason
    AND m.correlation_id IS NOT DISTINCT FROM c."correlationId" AND m.source = c.source AND m.target IS NOT DISTINCT FROM c.target`;

/** The append statement's text, and the change notice it sends when it commits ($4 and $5). */
export interface AppendStatement {
  text: string;
  notice: ChangeNotice;
}

/** A new event's hash, over the placed input `i`, its changeset `c` and the envelope `env` (the formula verify recomputes). */
const appendedEventHash = eventHashV2Sql({
  prevHash: 'i."prevHash"',
  position: 'i.position',
  txId: 'i.tx_id',
  itemId: 'i."itemId"',
  type: 'i.type',
  name: 'i.name',
  version: 'i.version',
  kind: 'i.kind',
  patch: 'i.patch',
  inverse: 'i.inverse',
  snapshot: 'i.snapshot',
  envelope: 'env.envelope',
  recordedAt: 'c.created_at',
  changesetId: 'c.id',
  ...changesetHashInputs,
});

/**
 * The append statement: changesets, stream heads (advanced only at the expected version), events with
 * their hash chain, the inline projection and the change notification to other processes, all in ONE
 * statement — one round trip, one commit. Parameters: $1 the events (each naming its changeset), $2 the
 * changesets, $3 how many events, $4 and $5 the notice's schema and origin.
 * If any stream did not advance, metadata_expect_appended raises ML409 and nothing is written or sent.
 */
export function buildAppendStatement(options: {
  notice: ChangeNotice;
  /** Join a changeset inserted earlier instead of inserting it. */
  changesetExists?: boolean;
  /** CTEs of an inline projection written by the same statement (they read `hashed` and `complete`). */
  inlineProjection?: string;
}): AppendStatement {
  const text = `
WITH input AS (SELECT * FROM metadata_append_input($1::jsonb) WITH ORDINALITY),
changeset AS (${
    options.changesetExists
      ? joinExistingChangeset
      : `
  -- millisecond precision: a time read back into a JS Date must select exactly the same events
  INSERT INTO metadata_changesets (id, actor, reason, correlation_id, source, event_count, target, created_at, hash_version)
  SELECT c.id, c.actor, c.reason, c."correlationId", c.source, c."eventCount", c.target, date_trunc('milliseconds', now()), ${hashVersion}
  FROM ${changesetInput}
  RETURNING id, actor, reason, correlation_id, source, target, created_at`
  }
),
-- each event's log position is drawn before it is hashed, so the hash covers it (and a reordered log
-- breaks the chain); the insert below writes exactly this value
placed AS (
  SELECT i.*, nextval('metadata_events_position_seq'::regclass) AS position, pg_current_xact_id() AS tx_id
  FROM input i ORDER BY i.ordinality
),
hashed AS (
  SELECT i."itemId" AS item_id, i.type, i.name, i.version, i.kind, i.patch, i.inverse, i.snapshot, i.document,
         i."prevHash" AS prev_hash, i.position, i.tx_id, c.id AS changeset_id, c.actor, c.created_at AS recorded_at, env.envelope,
         ${appendedEventHash} AS hash
  FROM placed i
  JOIN changeset c ON c.id = i."changesetId"
  CROSS JOIN LATERAL (
    SELECT ${hashEnvelopeSql((field) => `src->>'${field}'`)} AS envelope
    FROM (SELECT coalesce(i.document, i.snapshot) AS src) s
  ) env
  -- streams are locked in the order given: callers order them so concurrent writers wait, not deadlock
  ORDER BY i.ordinality
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
complete AS (SELECT count(*) = $3::bigint AS ok FROM stream),
appended AS (
  INSERT INTO metadata_events (position, tx_id, item_id, type, name, version, kind, patch, inverse, snapshot,
                               ${envelopeFields.join(', ')},
                               changeset_id, recorded_at, prev_hash, hash, hash_version)
  OVERRIDING SYSTEM VALUE
  SELECT h.position, h.tx_id, h.item_id, h.type, h.name, h.version, h.kind, h.patch, h.inverse, h.snapshot,
         ${envelopeFields.map((field) => `h.envelope->>'${field}'`).join(', ')}, h.changeset_id, h.recorded_at, h.prev_hash, h.hash, ${hashVersion}
  FROM hashed h WHERE (SELECT ok FROM complete)
  RETURNING position, item_id, type, name, version, kind, hash, recorded_at, changeset_id
)${
    options.inlineProjection
      ? `,
${options.inlineProjection}`
      : ''
  }
SELECT metadata_expect_appended((SELECT count(*) FROM stream), $3::bigint) AS appended,
       (SELECT json_agg(json_build_object(
          'position', position, 'itemId', item_id, 'type', type, 'name', name, 'version', version,
          'kind', kind, 'hash', hash, 'recordedAt', recorded_at, 'changesetId', changeset_id) ORDER BY position) FROM appended) AS events,
       ${changeNoticeSql('appended', '$4', '$5')} AS notified`;
  return { text, notice: options.notice };
}

/** One changeset and its events, as one append statement carries it (possibly beside others). */
export interface ChangesetEvents {
  changeset: ChangesetInfo;
  events: PendingEvent[];
  /** The changeset's event count when later statements add more of its events (default: these events). */
  eventCount?: number;
}

/**
 * Appends the events of one or more changesets in one statement (all or nothing) and returns, per
 * changeset in the order given, the events appended.
 */
export async function appendChangesets(
  run: SqlRunner,
  statement: AppendStatement,
  changesets: ChangesetEvents[],
): Promise<AppendedEvent[][]> {
  const events = changesets.flatMap(({ changeset, events }) => events.map((event) => ({ ...event, changesetId: changeset.id })));
  const parameters = [
    JSON.stringify(events),
    JSON.stringify(
      changesets.map(({ changeset, events, eventCount }) => ({
        id: changeset.id,
        actor: changeset.actor ?? null,
        reason: changeset.reason ?? null,
        correlationId: changeset.correlationId ?? null,
        source: changeset.source,
        eventCount: eventCount ?? events.length,
        target: changeset.target ?? null,
      })),
    ),
    events.length,
    statement.notice.schema,
    statement.notice.origin,
  ];
  const [row] = await run<{ events: (AppendedEvent & { changesetId: string })[] | null }>(statement.text, parameters);
  const byChangeset = new Map(changesets.map(({ changeset }) => [changeset.id, [] as AppendedEvent[]]));
  for (const { changesetId, ...event } of row?.events ?? [])
    byChangeset.get(changesetId)?.push({ ...event, position: Number(event.position) });
  return [...byChangeset.values()];
}

/** Appends one changeset's events in one statement; `eventCount` when later statements add more of them. */
export async function appendEvents(
  run: SqlRunner,
  statement: AppendStatement,
  changeset: ChangesetInfo,
  events: PendingEvent[],
  eventCount?: number,
): Promise<AppendedEvent[]> {
  const [appended] = await appendChangesets(run, statement, [{ changeset, events, eventCount }]);
  return appended;
}
