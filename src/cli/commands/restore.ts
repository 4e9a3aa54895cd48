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
  details: `  --at ISO         the moment to go back to, as a date-time
  --position p     the moment to go back to, as a log position (import prints one)
  --namespace ns   only items of this namespace
  --types a,b      only these types
  --dry-run        print the plan, write nothing

examples:
  metaledger restore --at 2024-05-01T12:00:00Z --dry-run
  metaledger restore --position 1042 --reason "undo the import"`,
  options: {
    at: { type: 'string' },
    position: { type: 'string' },
    namespace: { type: 'string' },
    types: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  async run(context, args) {
    requirePositionals(args, []);
    const options = {
      // who and why; the changeset's source is the rollback or restore itself
      actor: context.writeContext.actor,
      reason: context.writeContext.reason,
      ...momentOption(args, ['at', 'position']),
      namespace: stringOption(args, 'namespace'),
      types: listOption(args, 'types'),
      dryRun: args.values['dry-run'] === true,
    };
    const plan = await (await context.store()).restore(options);
    context.report(plan, () => describePlan(plan));
  },
};
