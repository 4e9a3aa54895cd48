import type { EventKind } from '../events/document.js';
import { requireStream } from './item-ref.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { blameEvents, prunePointOf } from './statements/audit-trail.js';

/** Who last set one leaf of the current state. */
export interface BlameLine {
  pointer: string;
  value: unknown;
  version: number;
  actor: string | null;
  recordedAt: string;
  reason: string | null;
  kind: EventKind | 'pruned';
}

type Attribution = Omit<BlameLine, 'pointer' | 'value'>;

const escapeToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every leaf JSON pointer below `pointer` in `value` (empty objects and arrays are leaves too). */
export function leafPointers(value: unknown, pointer = ''): [string, unknown][] {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length > 0) return entries.flatMap(([key, child]) => leafPointers(child, `${pointer}/${escapeToken(key)}`));
  }
  return [[pointer, value]];
}

const isUnder = (pointer: string, prefix: string) => prefix === '' || pointer === prefix || pointer.startsWith(`${prefix}/`);

function forget(owners: Map<string, Attribution>, prefix: string): void {
  for (const pointer of owners.keys()) if (isUnder(pointer, prefix)) owners.delete(pointer);
}

/** Replays the item's retained events, tracking which event last wrote each pointer. */
export async function blame(db: MetaledgerDb, type: string, name: string): Promise<BlameLine[]> {
  const head = await requireStream(db, type, name);
  if (!head.document) return [];
  const rows = await runStatement(db, blameEvents(head.itemId));
  const owners = new Map<string, Attribution>();
  const points = await runStatement(db, prunePointOf(head.itemId));
  // leaves that no retained event touched come from before the prune cut
  const pruned: Attribution | undefined = points[0] && {
    version: points[0].version,
    actor: null,
    reason: null,
    recordedAt: new Date(points[0].recorded_at).toISOString(),
    kind: 'pruned',
  };
  for (const row of rows) {
    const by: Attribution = {
      version: row.version,
      actor: row.actor,
      reason: row.reason,
      recordedAt: new Date(row.recorded_at).toISOString(),
      kind: row.kind,
    };
    for (const op of row.patch) {
      forget(owners, op.path);
      if ('value' in op) for (const [pointer] of leafPointers(op.value, op.path)) owners.set(pointer, by);
    }
  }
  return leafPointers(head.document).map(([pointer, value]) => ({ pointer, value, ...(owners.get(pointer) ?? pruned!) }));
}
