import { integerOption, requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a record (its history stays in the log)',
  usage: '<type> <name> [--expected-version n]',
  details: `  --expected-version n   refuse (CONFLICT) unless the item is at version n

example:
  metaledger delete object account --reason "replaced by customer"`,
  options: { 'expected-version': { type: 'string' } },
  async run(context, args) {
    const [type, name] = requirePositionals(args, ['type', 'name']);
    const expectedVersion = integerOption(args, 'expected-version');
    const result = await (await context.store()).delete(type, name, { ...context.writeContext, expectedVersion });
    context.report({ type, name, ...result }, () => `deleted ${type}/${name} v${result.version}`);
  },
};
