import type { Command } from '../command.js';
import { deleteCommand } from './delete.js';
import { getCommand } from './get.js';
import { listCommand } from './list.js';
import { saveCommand } from './save.js';

/** Every CLI command, in the order `metaledger --help` lists them. */
export const commands: Command[] = [saveCommand, getCommand, listCommand, deleteCommand];
