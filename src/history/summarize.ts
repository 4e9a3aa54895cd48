import type { EventKind } from '../events/document.js';
import type { PatchOperation } from '../events/patch.js';

const shownPaths = 3;

/** A one-line description of a patch: "3 fields changed: /metadata/a, /metadata/b, /state". */
export function summarizePatch(patch: PatchOperation[], kind?: EventKind, targetVersion?: number): string {
  if (kind === 'created') return `created with ${patch.length} field${patch.length === 1 ? '' : 's'}`;
  if (kind === 'deleted') return 'deleted';
  const paths = [...new Set(patch.map((op) => op.path))];
  const listed = paths.slice(0, shownPaths).join(', ') + (paths.length > shownPaths ? ', …' : '');
  const changed = paths.length === 0 ? 'no change' : `${paths.length} field${paths.length === 1 ? '' : 's'} changed: ${listed}`;
  if (kind === 'rolled_back') return `rolled back${targetVersion !== undefined ? ` to version ${targetVersion}` : ''}; ${changed}`;
  if (kind === 'restored') return `restored; ${changed}`;
  if (kind === 'archived') return `archived; ${changed}`;
  return changed;
}
