import { z } from 'zod';
import { RevertConflictError } from '../../change/revert/revert-conflict-error.js';
import { toProblem, type ProblemBody } from '../../loaders/http/error-body.js';
import { revertChangesetAs } from '../../service/revert-changeset-as.js';
import type { Capability } from '../api.js';
import { sendProblem } from '../http/problem-replies.js';
import { problems, ReasonSchema } from '../http/schemas.js';

const ChangesetParamsSchema = z.object({ id: z.string().uuid().describe('the changeset to revert') });

const RevertBodySchema = z
  .object({
    reason: ReasonSchema,
    dryRun: z.boolean().default(false).describe('return the plan (per item: its patch and conflicts) without writing'),
    onConflict: z
      .enum(['skip', 'overwrite'])
      .optional()
      .describe('where later changes touched what the revert restores: keep them (skip) or write over them; default: refuse (409)'),
  })
  .strict();

/**
 * Undoes one changeset as one new changeset. The principal must be allowed to change every item the
 * revert writes or reports (else 403, nothing written); conflicts with later changes are a 409 whose
 * problem document lists them under `conflicts`, unless `onConflict` says how to resolve them.
 */
export const revertCapability: Capability = {
  register(api, context) {
    api.post(
      '/changesets/:id/revert',
      {
        config: { access: 'write' },
        schema: {
          summary: 'Revert one changeset as a new changeset, keeping later changes; dryRun returns the plan, onConflict resolves conflicts',
          tags: ['history'],
          params: ChangesetParamsSchema,
          body: RevertBodySchema,
          response: problems(400, 401, 403, 404, 409, 410),
        },
      },
      async (request, reply) => {
        const { principal, correlationId } = request;
        try {
          return await revertChangesetAs(context.store, request.params.id, {
            ...request.body,
            principal,
            correlationId,
            refusals: context.refusals,
            source: 'http',
          });
        } catch (error) {
          if (!(error instanceof RevertConflictError)) throw error;
          const problem: ProblemBody & { conflicts: unknown[] } = { ...toProblem(error), conflicts: error.conflicts };
          return sendProblem(reply, problem);
        }
      },
    );
  },
};
