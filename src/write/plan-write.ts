import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { PendingEvent } from '../events/append-events.js';
import { toDocument, type EventKind, type ItemDocument } from '../events/document.js';
import { checkExpectedVersion, nextEvent, type SnapshotPolicy } from '../events/next-event.js';
import type { StreamHead } from '../events/read-stream-head.js';
import type { PayloadCheck } from './payload-check.js';

export type { SnapshotPolicy };

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
  /** The payload's problems against its type's definition (typed metadata); none: the write goes on. */
  check?: PayloadCheck;
}

export type WritePlan =
  { action: 'write'; event: PendingEvent } | { action: 'unchanged'; head: StreamHead } | { action: 'skipped'; head: StreamHead };

function kindOf(previous: ItemDocument | null, next: ItemDocument): EventKind {
  if (!previous) return 'created';
  if (next.state === 'archived' && previous.state !== 'archived') return 'archived';
  return 'updated';
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
      throw new ValidationError([
        { path: 'id', message: `cannot change the id of ${type}/${name} from "${current.id}" to "${intent.document.id}"` },
      ]);
    }
  } else if (!intent.create) {
    throw new NotFoundError(`${type}/${name} does not exist and save options say create: false`);
  }
  const base: Partial<ItemDocument> = current && intent.onConflict === 'update' ? current : {};
  const given = Object.fromEntries(
    Object.entries(intent.document).filter(
      ([key]) => !current || intent.onConflict === 'replace' || intent.providedKeys.has(key) || key === 'metadata',
    ),
  );
  const itemId = head?.itemId ?? randomUUID();
  const next = toDocument({ ...base, ...given, id: current?.id ?? intent.document.id ?? itemId, type, name } as ItemDocument);
  const problems = intent.check?.(type, name, next.metadata) ?? [];
  if (problems.length > 0) throw new ValidationError(problems, `invalid ${type} payload`);
  const event = nextEvent(head ? head : null, type, name, kindOf(current, next), next, policy);
  if (event.patch.length === 0) return { action: 'unchanged', head: head! };
  return { action: 'write', event: { ...event, itemId } };
}

export function planDelete(
  type: string,
  name: string,
  head: StreamHead | null,
  expectedVersion: number | undefined,
  policy: SnapshotPolicy,
): PendingEvent {
  checkExpectedVersion(type, name, head, expectedVersion);
  if (!head?.document) throw new NotFoundError(`${type}/${name} does not exist`);
  return nextEvent(head, type, name, 'deleted', null, policy);
}

/**
 * Refuses a changeset planned beside the store's own save path (rollback, restore, revert, promotion)
 * whose states break their type's definition as it is now: every problem, each named by its item.
 */
export function checkPayloads(events: PendingEvent[], check: PayloadCheck): void {
  const problems = events.flatMap((event) =>
    event.document === null
      ? []
      : check(event.type, event.name, event.document.metadata).map((issue) => ({
          ...issue,
          path: `${event.type}/${event.name}:${issue.path}`,
        })),
  );
  if (problems.length > 0) throw new ValidationError(problems, 'the change would leave payloads their type definition refuses');
}
