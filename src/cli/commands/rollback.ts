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
  options: { 'expected-version': { type: 'string' } },
  async run(context, args) {
    const [type, name, toVersion] = requirePositionals(args, ['type', 'name', 'toVersion']);
    const result = await (
      await context.store()
    ).rollback(type, name, integerArgument(toVersion, 'toVersion'), {
      // who and why; the changeset's source is the rollback or restore itself
      actor: context.writeContext.actor,
      reason: context.writeContext.reason,
      expectedVersion: integerOption(args, 'expected-version'),
    });
    context.report({ type, name, ...result }, () => describeRollback(`${type}/${name}`, result));
  },
};
