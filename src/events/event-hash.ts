// The hash chain's formula in SQL, written once: the append statement hashes new events with it and
// verify recomputes stored ones with it, so the two can never hash different things.

/** The envelope fields an event's hash covers, in the order the envelope object is built. */
export const envelopeFields = ['namespace', 'scope', 'state', 'owner', 'extends', 'strategy'] as const;

/** One envelope field. */
export type EnvelopeField = (typeof envelopeFields)[number];

/**
 * The SQL expression of the envelope an event's hash covers (a jsonb object of `envelopeFields`), each
 * field read by `field`: from a document on append (`src->>'scope'`), from the event's columns on
 * verify (`e.scope`).
 */
export function hashEnvelopeSql(field: (name: EnvelopeField) => string): string {
  return `jsonb_build_object(${envelopeFields.map((name) => `'${name}', ${field(name)}`).join(', ')})`;
}

/** SQL expressions of what a version-2 hash covers, one per argument of `metadata_event_hash_v2` (sql/0010). */
export interface EventHashInputs {
  prevHash: string;
  position: string;
  txId: string;
  itemId: string;
  type: string;
  name: string;
  version: string;
  kind: string;
  patch: string;
  inverse: string;
  snapshot: string;
  envelope: string;
  recordedAt: string;
  changesetId: string;
  actor: string;
  reason: string;
  correlationId: string;
  source: string;
  changesetAt: string;
  target: string;
}

/** The inputs a version-2 hash takes from the event's changeset, read from the changeset row aliased `c`. */
export const changesetHashInputs = {
  actor: 'c.actor',
  reason: 'c.reason',
  correlationId: 'c.correlation_id',
  source: 'c.source',
  changesetAt: 'c.created_at',
  target: 'c.target',
} as const satisfies Partial<EventHashInputs>;

/** The SQL call computing an event's version-2 hash from the expressions of its inputs. */
export function eventHashV2Sql(inputs: EventHashInputs): string {
  const i = inputs;
  return `metadata_event_hash_v2(${[
    i.prevHash,
    i.position,
    i.txId,
    i.itemId,
    i.type,
    i.name,
    i.version,
    i.kind,
    i.patch,
    i.inverse,
    i.snapshot,
    i.envelope,
    i.recordedAt,
    i.changesetId,
    i.actor,
    i.reason,
    i.correlationId,
    i.source,
    i.changesetAt,
    i.target,
  ].join(', ')})`;
}
