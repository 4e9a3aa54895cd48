import { ForbiddenError, refusalReason, type AccessFlags, type Operation, type ProtectedItem } from './access-policy.js';
import type { Principal } from './principal.js';
import type { RefusalLog } from './refusal-log.js';

/** Where a refused call came from, for the refusal log. */
export interface RefusalOrigin {
  /** api, cli, http, import */
  source: string;
  correlationId?: string;
}

/**
 * Throws FORBIDDEN unless the principal may do this to the item, after recording the refusal. A refusal
 * that cannot be recorded still refuses; the message says the record is missing.
 */
export async function enforceAccess(
  refusals: RefusalLog,
  principal: Principal,
  operation: Operation,
  item: ProtectedItem,
  flags: AccessFlags,
  origin: RefusalOrigin,
): Promise<void> {
  const reason = refusalReason(principal, operation, item, flags);
  if (reason === undefined) return;
  const message = `${principal.id} may not ${operation} ${item.scope} item ${item.type}/${item.name}: ${reason}`;
  try {
    await refusals.record({
      principal: principal.id,
      roles: principal.roles,
      operation,
      type: item.type,
      name: item.name,
      scope: item.scope,
      owner: item.owner,
      reason,
      ...origin,
    });
  } catch (error) {
    throw new ForbiddenError(`${message} (and the refusal could not be recorded: ${(error as Error).message})`, operation, reason);
  }
  throw new ForbiddenError(message, operation, reason);
}
