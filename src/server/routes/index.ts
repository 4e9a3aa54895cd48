import type { Capability } from '../api.js';
import { blameCapability } from './blame.js';
import { bulkCapability } from './bulk.js';
import { changesCapability } from './changes.js';
import { diffCapability } from './diff.js';
import { exportCapability } from './export.js';
import { historyCapability } from './history.js';
import { importCapability } from './import.js';
import { meCapability } from './me.js';
import { projectionsCapability } from './projections.js';
import { queryCapability } from './query.js';
import { recordsCapability } from './records.js';
import { restoreCapability } from './restore.js';
import { revertCapability } from './revert.js';
import { rollbackCapability } from './rollback.js';
import { timeTravelCapability } from './time-travel.js';
import { typeDefinitionsCapability } from './type-definitions.js';
import { typesCapability } from './types.js';
import { verifyCapability } from './verify.js';

export { metaRoutes } from './meta.js';

/** Every capability of the API under /api/v1; a new one is a file beside these and a line here. */
export const capabilities: Capability[] = [
  meCapability,
  typesCapability,
  recordsCapability,
  queryCapability,
  bulkCapability,
  historyCapability,
  timeTravelCapability,
  diffCapability,
  blameCapability,
  rollbackCapability,
  changesCapability,
  restoreCapability,
  revertCapability,
  verifyCapability,
  exportCapability,
  importCapability,
  projectionsCapability,
  typeDefinitionsCapability,
];
