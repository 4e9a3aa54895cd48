import { ChangesetIdSchema } from '../../change/revert/revert-options.js';
import type { RevertResult } from '../../change/revert/revert-changeset.js';
import { summarizePatch } from '../../history/summarize.js';
import { operatorPrincipal } from '../../service/principal.js';
import { databaseRefusalLog } from '../../service/refusal-log.js';
import { revertChangesetAs } from '../../service/revert-changeset-as.js';
import { choiceOption, requirePositionals } from '../arguments.js';
import { UsageError, type Command } from '../command.js';
import { count, shortJson } from '../history-format.js';
import { formatTable } from '../output.js';
import { principalOption, principalOptionHelp } from '../principal-option.js';

const absent = (value: unknown): string => (value === undefined ? '(absent)' : shortJson(value));

function describeRevert(result: RevertResult): string {
  const changing = result.items.filter((item) => item.patch.length > 0 || item.conflicts.length > 0);
  if (changing.length === 0) return `nothing to revert: changeset ${result.changesetId} left nothing that differs now`;
  const parts = [
    formatTable(
      ['action', 'item', 'from version', 'changes', 'conflicts'],
      changing.map((item) => [
        item.action,
        `${item.type}/${item.name}`,
        String(item.fromVersion),
        summarizePatch(item.patch),
        String(item.conflicts.length),
      ]),
    ),
  ];
  if (result.conflicts.length > 0) {
    parts.push(
      `conflicts (resolved: ${result.onConflict}):\n${formatTable(
        ['item', 'path', 'now', 'restoring'],
        result.conflicts.map((conflict) => [
          `${conflict.type}/${conflict.name}`,
          conflict.path || '(the item)',
          absent(conflict.current),
          absent(conflict.restoring),
        ]),
      )}`,
    );
  }
  parts.push(
    result.dryRun
      ? 'dry run: nothing written'
      : result.revertChangesetId
        ? `reverted changeset ${result.changesetId}: ${count(changing.filter((item) => item.patch.length > 0).length, 'item')} changed in changeset ${result.revertChangesetId}`
        : `nothing written: every change of changeset ${result.changesetId} conflicts and was skipped`,
  );
  return parts.join('\n');
}

export const revertCommand: Command = {
  name: 'revert',
  summary: 'undo one changeset as a new changeset, keeping later changes',
  usage: `<changesetId> --reason text [--dry-run] [--on-conflict skip|overwrite] [${principalOptionHelp}]`,
  details: `  <changesetId>             the changeset to undo (history and changes show them)
  --reason text             why (required, except for a dry run)
  --dry-run                 print the plan and its conflicts, write nothing
  --on-conflict skip        keep what later changes wrote where they touched the same paths
  --on-conflict overwrite   restore those paths anyway
  --as id[:roles]           check the access rules as this principal (default: the operator)
Without --on-conflict a revert that would overwrite later changes is refused (CONFLICT, exit 5).

examples:
  metaledger revert 3f2b… --dry-run
  metaledger revert 3f2b… --reason "the import mapped the wrong fields" --on-conflict skip`,
  options: {
    'dry-run': { type: 'boolean' },
    'on-conflict': { type: 'string' },
    as: { type: 'string' },
  },
  async run(context, args) {
    const [changesetId] = requirePositionals(args, ['changesetId']);
    if (!ChangesetIdSchema.safeParse(changesetId).success) throw new UsageError(`<changesetId> must be a UUID, got '${changesetId}'`);
    const dryRun = args.values['dry-run'] === true;
    const { reason, correlationId } = context.writeContext;
    if (!dryRun && reason === undefined) throw new UsageError('missing option --reason: say why the changeset is reverted');
    const onConflict = choiceOption(args, 'on-conflict', ['skip', 'overwrite'] as const);
    // without --as, the operator is trusted code and says so, under the CLI's actor
    const asPrincipal = principalOption(args);
    const store = await context.store();
    const result = await revertChangesetAs(store, changesetId, {
      principal: asPrincipal ?? operatorPrincipal(),
      actor: asPrincipal?.id ?? context.writeContext.actor,
      refusals: databaseRefusalLog(store.db),
      source: 'cli',
      reason,
      correlationId,
      dryRun,
      onConflict,
    });
    context.report(result, () => describeRevert(result));
  },
};
