import { summarizePatch } from '../../history/summarize.js';
import type { RestorePlan, RestoreStep } from '../../history/restore.js';
import { requirePositionals, stringOption } from '../arguments.js';
import type { Command } from '../command.js';
import { count, listOption, momentOption } from '../history-format.js';
import { formatTable } from '../output.js';

const kindOfAction = { revert: undefined, recreate: 'created', delete: 'deleted' } as const satisfies Record<
  RestoreStep['action'],
  string | undefined
>;

function describePlan(plan: RestorePlan): string {
  if (plan.steps.length === 0) return `nothing to restore: everything already matches ${plan.moment}`;
  const table = formatTable(
    ['action', 'item', 'from version', 'changes'],
    plan.steps.map((step) => [
      step.action,
      `${step.type}/${step.name}`,
      String(step.fromVersion),
      summarizePatch(step.patch, kindOfAction[step.action]),
    ]),
  );
  const outcome = plan.dryRun
    ? 'dry run: nothing written'
    : `restored ${count(plan.steps.length, 'item')} in changeset ${plan.changesetId}`;
  return `${table}\n${outcome}`;
}

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'bring the store, a namespace or some types back to a moment, in one changeset',
  usage: '--at ISO | --position p [--namespace ns] [--types a,b] [--dry-run]',
  options: {
    at: { type: 'string' },
    position: { type: 'string' },
    namespace: { type: 'string' },
    types: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  async run(context, args) {
    requirePositionals(args, []);
    const plan = await (
      await context.store()
    ).restore({
      // who and why; the changeset's source is the rollback or restore itself
      actor: context.writeContext.actor,
      reason: context.writeContext.reason,
      ...momentOption(args, ['at', 'position']),
      namespace: stringOption(args, 'namespace'),
      types: listOption(args, 'types'),
      dryRun: args.values['dry-run'] === true,
    });
    context.report(plan, () => describePlan(plan));
  },
};
