import type { RollbackResult } from '../../history/rollback.js';
import { integerOption, requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';
import { integerArgument } from '../history-format.js';

function describeRollback(key: string, result: RollbackResult): string {
  if (!result.changed) return `${key} already matches version ${result.toVersion} (now v${result.version}): nothing written`;
  const outcome = result.status === 'exists' ? `now v${result.version}` : `it did not exist then, so it is deleted at v${result.version}`;
  return `rolled back ${key} to version ${result.toVersion}: ${outcome}`;
}

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'make an item what it was at an earlier version (a new event; history is kept)',
  usage: '<type> <name> <toVersion> [--expected-version n]',
  details: `  --expected-version n   refuse (CONFLICT) unless the item is at version n

example:
  metaledger rollback object account 2 --reason "the rename broke reports"`,
  options: { 'expected-version': { type: 'string' } },
  async run(context, args) {
    const [type, name, toVersion] = requirePositionals(args, ['type', 'name', 'toVersion']);
    const version = integerArgument(toVersion, 'toVersion');
    const expectedVersion = integerOption(args, 'expected-version');
    // who and why; the changeset's source is the rollback or restore itself
    const { actor, reason } = context.writeContext;
    const result = await (await context.store()).rollback(type, name, version, { actor, reason, expectedVersion });
    context.report({ type, name, ...result }, () => describeRollback(`${type}/${name}`, result));
  },
};
