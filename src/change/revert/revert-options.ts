import { z } from 'zod';
import { LabelSchema, ReasonSchema } from '../../input/call-options.js';
import type { ChangeReason } from '../../history/history-writer.js';
import type { ConflictResolution, PlannedRevertItem } from './plan-revert.js';

/** How to revert a changeset: who and why, a dry run, and what to do about conflicts. */
export interface RevertOptions extends ChangeReason {
  /** Return the plan (per item: its patch and conflicts) and write nothing. */
  dryRun?: boolean;
  /** Where later changes touched what the revert restores: keep them (`skip`) or write over them (`overwrite`). Default: refuse with CONFLICT. */
  onConflict?: ConflictResolution;
  /**
   * Sees every planned item (as it is and as it becomes) before anything is written, on every attempt;
   * throwing stops the revert. The service layer checks access rules here.
   */
  check?: (items: PlannedRevertItem[]) => void;
}

/** The changeset to revert: a UUID, as every changeset id. */
export const ChangesetIdSchema = z.string().uuid();

export const RevertOptionsSchema = z
  .object({
    actor: LabelSchema.optional(),
    reason: ReasonSchema.optional(),
    correlationId: LabelSchema.optional(),
    dryRun: z.boolean().optional(),
    onConflict: z.enum(['skip', 'overwrite']).optional(),
    check: z.function().optional(),
  })
  .strict();
