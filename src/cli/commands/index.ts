import type { Command } from '../command.js';
import { anchorCommand } from './anchor.js';
import { blameCommand } from './blame.js';
import { changesCommand } from './changes.js';
import { deleteCommand } from './delete.js';
import { diffCommand } from './diff.js';
import { diffStoreCommand } from './diff-store.js';
import { exportCommand } from './export.js';
import { getCommand } from './get.js';
import { historyCommand } from './history.js';
import { importCommand } from './import.js';
import { listCommand } from './list.js';
import { promoteCommand } from './promote.js';
import { pruneCommand } from './prune.js';
import { referencesCommand } from './references.js';
import { restoreCommand } from './restore.js';
import { revertCommand } from './revert.js';
import { rollbackCommand } from './rollback.js';
import { saveCommand } from './save.js';
import { serveCommand } from './serve.js';
import { showCommand } from './show.js';
import { statusCommand } from './status.js';
import { tagCommand } from './tag.js';
import { tagsCommand } from './tags.js';
import { typeCommand } from './type.js';
import { verifyCommand } from './verify.js';

/** Every CLI command, in the order `metaledger --help` lists them. */
export const commands: Command[] = [
  saveCommand,
  getCommand,
  listCommand,
  deleteCommand,
  historyCommand,
  showCommand,
  diffCommand,
  blameCommand,
  rollbackCommand,
  restoreCommand,
  revertCommand,
  changesCommand,
  verifyCommand,
  anchorCommand,
  tagCommand,
  tagsCommand,
  diffStoreCommand,
  promoteCommand,
  pruneCommand,
  exportCommand,
  importCommand,
  typeCommand,
  referencesCommand,
  serveCommand,
  statusCommand,
];
