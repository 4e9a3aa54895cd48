import { integerOption, requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a record (its history stays in the log)',
  usage: '<type> <name> [--expected-version n]',
  options: { 'expected-version': { type: 'string' } },
  async run(context, args) {
    const [type, name] = requirePositionals(args, ['type', 'name']);
    const result = await (
      await context.store()
    ).delete(type, name, { ...context.writeContext, expectedVersion: integerOption(args, 'expected-version') });
    context.report({ type, name, ...result }, () => `deleted ${type}/${name} v${result.version}`);
  },
};
