import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '../../errors.js';
import type { AuditEvent } from '../../history/item-history.js';
import type { MetadataScope } from '../../protocol/index.js';
import { ForbiddenError, refusalReason, type AccessFlags, type Operation, type ProtectedItem } from '../../service/access-policy.js';
import { enforceAccess } from '../../service/enforce-access.js';
import { isAdmin, type Principal } from '../../service/principal.js';
import type { ApiContext } from '../api.js';

/** The item an audit event is about, as the access rules see it (its envelope at that event). */
export function protectedItemOf(event: Pick<AuditEvent, 'type' | 'name' | 'scope' | 'owner'>): ProtectedItem {
  return {
    type: event.type,
    name: event.name,
    scope: (event.scope ?? 'platform') as MetadataScope,
    ...(event.owner ? { owner: event.owner } : {}),
  };
}

/** Whether the principal may read what an event shows. */
export const mayReadEvent = (principal: Principal, event: AuditEvent): boolean =>
  refusalReason(principal, 'read', protectedItemOf(event)) === undefined;

/** Throws FORBIDDEN, after recording the refusal, unless the request's principal may do this to the item. */
export function authorize(
  context: ApiContext,
  request: FastifyRequest,
  operation: Operation,
  item: ProtectedItem,
  flags: AccessFlags = {},
): Promise<void> {
  return enforceAccess(context.refusals, request.principal, operation, item, flags, {
    source: 'http',
    correlationId: request.correlationId,
  });
}

/** Store-wide operations (verify, rebuild) are for admins. */
export function requireAdmin(request: FastifyRequest, what: string): void {
  if (!isAdmin(request.principal))
    throw new ForbiddenError(`${request.principal.id} may not ${what}: it needs the admin role`, 'update', 'needs the admin role');
}

/** The item's envelope now (its latest event), checked readable: the gate of every per-item history route. */
export async function readableItem(context: ApiContext, request: FastifyRequest, type: string, name: string): Promise<AuditEvent> {
  const [latest] = (await context.store.history(type, name, { limit: 1 })).events;
  if (!latest) throw new NotFoundError(`${type}/${name} has no retained history`);
  await authorize(context, request, 'read', protectedItemOf(latest));
  return latest;
}
