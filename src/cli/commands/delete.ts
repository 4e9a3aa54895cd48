import { integerOption, requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a record (its history stays in the log)',
  usage: '<type> <name> [--expected-version n] [--force]',
  details: `  --expected-version n   refuse (CONFLICT) unless the item is at version n
  --force                delete even when items name it by a declared reference (see references)

example:
  metaledger delete object account --reason "replaced by customer"`,
  options: { 'expected-version': { type: 'string' }, force: { type: 'boolean' } },
  async run(context, args) {
    const [type, name] = requirePositionals(args, ['type', 'name']);
    const expectedVersion = integerOption(args, 'expected-version');
    const result = await (
      await context.store()
    ).delete(type, name, {
      ...context.writeContext,
      expectedVersion,
      force: args.values.force === true,
    });
    context.report({ type, name, ...result }, () => `deleted ${type}/${name} v${result.version}`);
  },
};
