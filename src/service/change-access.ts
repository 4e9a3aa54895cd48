import type { ItemDocument } from '../events/document.js';
import { ForbiddenError, refusalReason, type Operation } from './access-policy.js';
import type { RefusalOrigin } from './enforce-access.js';
import type { Principal } from './principal.js';
import type { RefusalLog } from './refusal-log.js';

/** One item a store-wide change (restore, revert) changes: as it is now and as it becomes (null: absent). */
export interface PlannedChange {
  type: string;
  name: string;
  now: ItemDocument | null;
  then: ItemDocument | null;
}

/** One change the principal may not make, and why. */
export interface RefusedChange {
  operation: Operation;
  type: string;
  name: string;
  reason: string;
}

/** Every change the principal may not make: the item as it is (update or delete) and as it becomes (update or create) are both checked. */
export function refusedChanges(principal: Principal, changes: PlannedChange[]): RefusedChange[] {
  const refused: RefusedChange[] = [];
  for (const { type, name, now, then } of changes) {
    const checks: [Operation, ItemDocument][] = [];
    if (now) checks.push([then ? 'update' : 'delete', now]);
    if (then) checks.push([now ? 'update' : 'create', then]);
    for (const [operation, document] of checks) {
      const reason = refusalReason(principal, operation, { ...document, type, name });
      if (reason) refused.push({ operation, type, name, reason });
    }
  }
  return refused;
}

const shownRefusals = 5;

/** FORBIDDEN for a whole change some of whose parts the principal may not make, naming the first few. */
export function forbiddenChanges(principal: Principal, refused: RefusedChange[], what: string, outcome: string): ForbiddenError {
  const shown = refused.slice(0, shownRefusals).map((refusal) => `${refusal.operation} ${refusal.type}/${refusal.name}: ${refusal.reason}`);
  if (refused.length > shown.length) shown.push(`… and ${refused.length - shown.length} more`);
  return new ForbiddenError(`${principal.id} may not ${what}: ${shown.join('; ')}; ${outcome}`, refused[0].operation, refused[0].reason);
}

/**
 * Records the refusals behind a failed change and returns the error to throw: the failure itself, or,
 * when the refusals could not be recorded, a FORBIDDEN that still refuses and says the record is missing.
 */
export async function recordRefusedChanges(
  refusals: RefusalLog,
  principal: Principal,
  refused: RefusedChange[],
  origin: RefusalOrigin,
  failure: unknown,
): Promise<unknown> {
  try {
    for (const refusal of refused) await refusals.record({ principal: principal.id, roles: principal.roles, ...refusal, ...origin });
    return failure;
  } catch (error) {
    if (!(failure instanceof ForbiddenError)) return failure;
    return new ForbiddenError(
      `${failure.message} (and the refusal could not be recorded: ${(error as Error).message})`,
      failure.operation,
      failure.reason,
    );
  }
}
