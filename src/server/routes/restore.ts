import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { PlannedRestoreChange } from '../../history/restore.js';
import { ForbiddenError, refusalReason, type Operation } from '../../service/access-policy.js';
import type { Principal } from '../../service/principal.js';
import type { Capability } from '../api.js';
import { problems, ReasonSchema } from '../http/schemas.js';

const RestoreBodySchema = z
  .object({
    asOf: z.string().datetime({ offset: true }).optional(),
    position: z.number().int().min(0).optional(),
    namespace: z.string().min(1).max(255).optional(),
    types: z.array(z.string().min(1).max(100)).min(1).max(100).optional(),
    dryRun: z.boolean().default(false).describe('return the plan without writing'),
    reason: ReasonSchema,
  })
  .strict();

interface Refused {
  operation: Operation;
  type: string;
  name: string;
  reason: string;
}

/** Every change of the plan the principal may not make: the item as it is and as it becomes are both checked. */
function refusalsOf(principal: Principal, changes: PlannedRestoreChange[]): Refused[] {
  const refused: Refused[] = [];
  for (const { step, now, then } of changes) {
    const checks: [Operation, typeof now][] = [];
    if (now) checks.push([then ? 'update' : 'delete', now]);
    if (then) checks.push([now ? 'update' : 'create', then]);
    for (const [operation, document] of checks) {
      const reason = refusalReason(principal, operation, { ...document!, type: step.type, name: step.name });
      if (reason) refused.push({ operation, type: step.type, name: step.name, reason });
    }
  }
  return refused;
}

/**
 * Brings the store, a namespace or some types back to a moment in one changeset; a dry run returns the
 * plan. Refused whole (403, nothing written) when any change of the plan is not the principal's to make.
 */
export const restoreCapability: Capability = {
  register(api, context) {
    api.post(
      '/restore',
      {
        config: { access: 'write' },
        schema: {
          summary: 'Restore to a moment (asOf or position), optionally one namespace or some types; dryRun returns the plan',
          tags: ['history'],
          body: RestoreBodySchema,
          response: problems(400, 401, 403, 409),
        },
      },
      async (request) => {
        const { principal, correlationId } = request;
        const { reason, ...options } = request.body;
        if ((options.asOf === undefined) === (options.position === undefined))
          throw new ValidationError([{ path: 'asOf', message: 'give exactly one of asOf or position' }], 'invalid restore point');
        let refused: Refused[] = [];
        try {
          return await context.store.restore({
            ...options,
            actor: principal.id,
            reason,
            correlationId,
            check: (changes) => {
              refused = refusalsOf(principal, changes);
              if (refused.length === 0) return;
              const shown = refused.slice(0, 5).map((refusal) => `${refusal.operation} ${refusal.type}/${refusal.name}: ${refusal.reason}`);
              if (refused.length > shown.length) shown.push(`… and ${refused.length - shown.length} more`);
              throw new ForbiddenError(
                `${principal.id} may not restore this: ${shown.join('; ')}; nothing was restored`,
                refused[0].operation,
                refused[0].reason,
              );
            },
          });
        } catch (error) {
          for (const refusal of refused)
            await context.refusals.record({ principal: principal.id, roles: principal.roles, ...refusal, source: 'http', correlationId });
          throw error;
        }
      },
    );
  },
};
