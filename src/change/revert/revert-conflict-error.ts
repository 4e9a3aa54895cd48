import { ConflictError } from '../../errors.js';
import type { RevertConflict } from './plan-revert.js';

const shownConflicts = 5;

/**
 * A revert refused because later changes touched what it would restore (`CONFLICT`, 409): `conflicts`
 * lists each item and path with its value now and the value the revert would restore. Nothing was
 * written; give `onConflict: 'skip'` or `'overwrite'` to revert anyway.
 */
export class RevertConflictError extends ConflictError {
  constructor(
    readonly changesetId: string,
    readonly conflicts: RevertConflict[],
  ) {
    const shown = conflicts
      .slice(0, shownConflicts)
      .map((conflict) => `${conflict.type}/${conflict.name} ${conflict.path || '(the item)'}`);
    if (conflicts.length > shown.length) shown.push(`… and ${conflicts.length - shown.length} more`);
    super(
      `reverting changeset ${changesetId} would overwrite later changes at ${shown.join(', ')}; nothing was reverted: ` +
        `give onConflict 'skip' (keep the later changes) or 'overwrite'`,
    );
  }
}
