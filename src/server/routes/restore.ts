import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { forbiddenChanges, recordRefusedChanges, refusedChanges, type RefusedChange } from '../../service/change-access.js';
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
        let refused: RefusedChange[] = [];
        try {
          return await context.store.restore({
            ...options,
            actor: principal.id,
            reason,
            correlationId,
            check: (changes) => {
              refused = refusedChanges(
                principal,
                changes.map(({ step, now, then }) => ({ type: step.type, name: step.name, now, then })),
              );
              if (refused.length > 0) throw forbiddenChanges(principal, refused, 'restore this', 'nothing was restored');
            },
          });
        } catch (error) {
          throw await recordRefusedChanges(context.refusals, principal, refused, { source: 'http', correlationId }, error);
        }
      },
    );
  },
};
