import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';

export const anchorCommand: Command = {
  name: 'anchor',
  summary: 'print an anchor of the whole log so far, to keep outside the database (see verify --anchor)',
  usage: '',
  async run(context, args) {
    requirePositionals(args, []);
    const anchor = await (await context.store()).anchor();
    // the human form is the JSON too: it is meant to be copied as it is
    context.report(anchor, () => JSON.stringify(anchor));
  },
};
