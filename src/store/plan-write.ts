import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { toDocument, type EventKind, type ItemDocument } from '../events/document.js';
import type { PendingEvent } from '../events/append-events.js';
import { diffStates } from '../events/patch.js';
import type { StreamHead } from '../events/read-stream-head.js';

export type OnConflict = 'error' | 'skip' | 'update' | 'replace';

export interface SaveIntent {
  /** The validated record as the next document would be with defaults filled in. */
  document: Omit<ItemDocument, 'id'> & { id?: string };
  /** Envelope keys the caller actually gave: `update` keeps the current value of the others. */
  providedKeys: ReadonlySet<string>;
  onConflict: OnConflict;
  create: boolean;
  overwrite: boolean;
  expectedVersion?: number;
}

export type WritePlan =
  | { action: 'write'; event: PendingEvent }
  | { action: 'unchanged'; head: StreamHead }
  | { action: 'skipped'; head: StreamHead };

/** Full state every this many versions, so reading any version folds a bounded number of patches. */
export interface SnapshotPolicy {
  snapshotEvery: number;
}

function kindOf(previous: ItemDocument | null, next: ItemDocument): EventKind {
  if (!previous) return 'created';
  if (next.state === 'archived' && previous.state !== 'archived') return 'archived';
  return 'updated';
}

/** Checks `expectedVersion` against the head; 0 means "must not exist now" (never created, or deleted). */
export function checkExpectedVersion(type: string, name: string, head: StreamHead | null, expected?: number): void {
  if (expected === undefined) return;
  const live = head?.document ? head.version : 0;
  const matches = expected === 0 ? !head?.document : head?.version === expected;
  if (!matches) {
    throw new ConflictError(
      `${type}/${name}: expected version ${expected} but it is at version ${live}${head && !head.document ? ' (deleted)' : ''}`,
      expected,
      live,
    );
  }
}

export function nextEvent(
  head: StreamHead | null,
  type: string,
  name: string,
  kind: EventKind,
  document: ItemDocument | null,
  policy: SnapshotPolicy,
): PendingEvent {
  const previous = head?.document ?? null;
  const version = (head?.version ?? 0) + 1;
  const everyN = version % policy.snapshotEvery === 0;
  return {
    itemId: head?.itemId ?? randomUUID(),
    type,
    name,
    version,
    kind,
    patch: diffStates(previous, document),
    inverse: diffStates(document, previous),
    // A delete keeps the state it removed. Any event that (re)creates the item, and every N-th version,
    // keeps the full state after it, so time travel folds at most N patches from a snapshot.
    snapshot: kind === 'deleted' ? previous : previous === null || everyN ? document : null,
    document,
    prevHash: head?.hash ?? null,
  };
}

export function planSave(type: string, name: string, head: StreamHead | null, intent: SaveIntent, policy: SnapshotPolicy): WritePlan {
  checkExpectedVersion(type, name, head, intent.expectedVersion);
  const current = head?.document ?? null;
  if (current) {
    if (intent.onConflict === 'skip') return { action: 'skipped', head: head! };
    if (intent.onConflict === 'error' || !intent.overwrite) {
      throw new ConflictError(`${type}/${name} already exists (version ${head!.version})`, intent.expectedVersion, head!.version);
    }
    if (intent.document.id !== undefined && intent.document.id !== current.id) {
      throw new ValidationError([{ path: 'id', message: `cannot change the id of ${type}/${name} from "${current.id}" to "${intent.document.id}"` }]);
    }
  } else if (!intent.create) {
    throw new NotFoundError(`${type}/${name} does not exist and save options say create: false`);
  }
  const base: Partial<ItemDocument> = current && intent.onConflict === 'update' ? current : {};
  const given = Object.fromEntries(
    Object.entries(intent.document).filter(([key]) => !current || intent.onConflict === 'replace' || intent.providedKeys.has(key) || key === 'metadata'),
  );
  const itemId = head?.itemId ?? randomUUID();
  const next = toDocument({ ...base, ...given, id: current?.id ?? intent.document.id ?? itemId, type, name } as ItemDocument);
  const event = nextEvent(head ? head : null, type, name, kindOf(current, next), next, policy);
  if (event.patch.length === 0) return { action: 'unchanged', head: head! };
  return { action: 'write', event: { ...event, itemId } };
}

export function planDelete(type: string, name: string, head: StreamHead | null, expectedVersion: number | undefined, policy: SnapshotPolicy): PendingEvent {
  checkExpectedVersion(type, name, head, expectedVersion);
  if (!head?.document) throw new NotFoundError(`${type}/${name} does not exist`);
  return nextEvent(head, type, name, 'deleted', null, policy);
}
