import type { Command } from '../command.js';

/**
 * A command by name, its module loaded only when it is run or described: a command imports only what
 * it needs, so `metaledger --version` or `get` does not pay for the HTTP server that `serve` loads.
 */
export interface CommandEntry {
  name: string;
  load(): Promise<Command>;
}

/** Every CLI command, in the order `metaledger --help` lists them. */
export const commandEntries: CommandEntry[] = [
  { name: 'save', load: () => import('./save.js').then((module) => module.saveCommand) },
  { name: 'get', load: () => import('./get.js').then((module) => module.getCommand) },
  { name: 'list', load: () => import('./list.js').then((module) => module.listCommand) },
  { name: 'delete', load: () => import('./delete.js').then((module) => module.deleteCommand) },
  { name: 'history', load: () => import('./history.js').then((module) => module.historyCommand) },
  { name: 'show', load: () => import('./show.js').then((module) => module.showCommand) },
  { name: 'diff', load: () => import('./diff.js').then((module) => module.diffCommand) },
  { name: 'blame', load: () => import('./blame.js').then((module) => module.blameCommand) },
  { name: 'rollback', load: () => import('./rollback.js').then((module) => module.rollbackCommand) },
  { name: 'restore', load: () => import('./restore.js').then((module) => module.restoreCommand) },
  { name: 'revert', load: () => import('./revert.js').then((module) => module.revertCommand) },
  { name: 'changes', load: () => import('./changes.js').then((module) => module.changesCommand) },
  { name: 'verify', load: () => import('./verify.js').then((module) => module.verifyCommand) },
  { name: 'anchor', load: () => import('./anchor.js').then((module) => module.anchorCommand) },
  { name: 'tag', load: () => import('./tag.js').then((module) => module.tagCommand) },
  { name: 'tags', load: () => import('./tags.js').then((module) => module.tagsCommand) },
  { name: 'diff-store', load: () => import('./diff-store.js').then((module) => module.diffStoreCommand) },
  { name: 'promote', load: () => import('./promote.js').then((module) => module.promoteCommand) },
  { name: 'prune', load: () => import('./prune.js').then((module) => module.pruneCommand) },
  { name: 'export', load: () => import('./export.js').then((module) => module.exportCommand) },
  { name: 'import', load: () => import('./import.js').then((module) => module.importCommand) },
  { name: 'type', load: () => import('./type.js').then((module) => module.typeCommand) },
  { name: 'references', load: () => import('./references.js').then((module) => module.referencesCommand) },
  { name: 'serve', load: () => import('./serve.js').then((module) => module.serveCommand) },
  { name: 'status', load: () => import('./status.js').then((module) => module.statusCommand) },
];

/** The command of that name, loaded; undefined when there is none. */
export function loadCommand(name: string): Promise<Command> | undefined {
  return commandEntries.find((entry) => entry.name === name)?.load();
}

/** Every command, loaded (for the full help). */
export function loadAllCommands(): Promise<Command[]> {
  return Promise.all(commandEntries.map((entry) => entry.load()));
}
