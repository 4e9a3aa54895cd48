import type { RevertResult } from '../change/revert/revert-changeset.js';
import type { RevertOptions } from '../change/revert/revert-options.js';
import type { PlannedRevertItem } from '../change/revert/plan-revert.js';
import { forbiddenChanges, recordRefusedChanges, refusedChanges, type RefusedChange } from './change-access.js';
import type { Principal } from './principal.js';
import type { RefusalLog } from './refusal-log.js';

/** The store's revert, as the service needs it. */
export interface Reverter {
  revertChangeset(changesetId: string, options?: RevertOptions): Promise<RevertResult>;
}

/** Who reverts, where refusals are recorded, and the call's audit fields. */
export interface RevertAsOptions extends Omit<RevertOptions, 'check'> {
  /** Who reverts: must be allowed to change every item the revert touches. */
  principal: Principal;
  /** Where a refused revert is recorded. */
  refusals: RefusalLog;
  /** Recorded with refusals: api, cli, http. */
  source: string;
}

/** The items a revert writes or reports a conflict on: it must be allowed to write each of them. */
const touched = ({ plan }: PlannedRevertItem) => plan.patch.length > 0 || plan.conflicts.length > 0;

/**
 * Reverts a changeset as a principal: every item the revert writes, or whose later changes it reports,
 * must be one the principal may change (as it is and as it becomes), else the whole revert — a dry run
 * too — is FORBIDDEN, the refusals are recorded and nothing is written. The actor recorded is the
 * principal unless `actor` names the person behind trusted code (the operator's CLI).
 */
export async function revertChangesetAs(store: Reverter, changesetId: string, options: RevertAsOptions): Promise<RevertResult> {
  const { principal, refusals, source, ...revert } = options;
  let refused: RefusedChange[] = [];
  try {
    return await store.revertChangeset(changesetId, {
      ...revert,
      actor: revert.actor ?? principal.id,
      check: (items) => {
        const changes = items.filter(touched).map(({ plan, now, then }) => ({ type: plan.type, name: plan.name, now, then }));
        refused = refusedChanges(principal, changes);
        if (refused.length > 0) throw forbiddenChanges(principal, refused, `revert changeset ${changesetId}`, 'nothing was reverted');
      },
    });
  } catch (error) {
    throw await recordRefusedChanges(refusals, principal, refused, { source, correlationId: revert.correlationId }, error);
  }
}
