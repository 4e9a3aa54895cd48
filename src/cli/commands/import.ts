import { summarizePatch } from '../../history/summarize.js';
import type { ImportChange } from '../../service/import/plan-import.js';
import { importMetadata, type ImportReport } from '../../service/import/import-metadata.js';
import { choiceOption, stringOption } from '../arguments.js';
import { UsageError, type Command } from '../command.js';
import { formatTable } from '../output.js';
import { operatorPrincipal } from '../../service/principal.js';
import { principalOption, principalOptionHelp } from '../principal-option.js';

function describeChange(change: ImportChange): string {
  if (change.action === 'create') return summarizePatch(change.patch ?? [], 'created');
  if (change.action === 'update') return `v${change.fromVersion} → v${change.version}: ${summarizePatch(change.patch ?? [])}`;
  return change.fromVersion !== undefined ? `v${change.fromVersion}` : '';
}

function describeImport(report: ImportReport): string {
  const { counts } = report;
  const totals = `${counts.create} created, ${counts.update} updated, ${counts.unchanged} unchanged, ${counts.skip} skipped${counts.invalid ? `, ${counts.invalid} invalid (left out)` : ''}`;
  const lines = report.dryRun
    ? [
        formatTable(
          ['action', 'item', 'file', 'change'],
          report.changes.map((change) => [change.action, `${change.type}/${change.name}`, change.file, describeChange(change)]),
        ),
      ]
    : [];
  lines.push(...report.issues.map((issue) => `invalid ${issue.path}: ${issue.message}`));
  if (report.dryRun) lines.push(`dry run, nothing written: would be ${totals}`);
  else if (report.changesetId)
    lines.push(`imported: ${totals} in changeset ${report.changesetId}; undo with: metaledger restore --position ${report.restorePoint}`);
  else lines.push(`nothing to import: ${totals}`);
  return lines.join('\n');
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import a file or a directory of metadata files in one changeset (every problem reported, nothing written)',
  usage: `--source <file|dir> [--strategy merge|replace|skip] [--dry-run] [--skip-invalid] [--allow-system] [${principalOptionHelp}]`,
  details: `  --source path           a bundle file (.json, .yaml) or a directory of <type>/<name> files
  --strategy s            for items that exist: merge (default), replace, or skip
  --dry-run               print what would change, write nothing
  --skip-invalid          leave out invalid files (reported) instead of refusing the whole import
  --allow-system          allow items of the system scope
  --as id[:role,role]     import as this principal, checked against the access rules

The whole import is one changeset: it prints the log position to restore to undo it.

examples:
  metaledger import --source backup.json --dry-run
  metaledger import --source ./metadata --strategy replace --reason "sync from git"`,
  options: {
    source: { type: 'string' },
    strategy: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'skip-invalid': { type: 'boolean' },
    'allow-system': { type: 'boolean' },
    as: { type: 'string' },
  },
  async run(context, args) {
    const source = stringOption(args, 'source');
    if (source === undefined) throw new UsageError('missing option --source <file|dir>');
    // without --as, the operator is trusted code and says so; system items still need --allow-system
    const asPrincipal = principalOption(args);
    const options = {
      source: context.path(source),
      strategy: choiceOption(args, 'strategy', ['merge', 'replace', 'skip'] as const),
      dryRun: args.values['dry-run'] === true,
      validate: args.values['skip-invalid'] !== true,
      allowSystem: args.values['allow-system'] === true,
      principal: asPrincipal ?? operatorPrincipal(),
      actor: asPrincipal?.id ?? context.writeContext.actor,
      reason: context.writeContext.reason,
      progress: context.progress(),
    };
    const report = await importMetadata(await context.store(), options);
    context.report(report, () => describeImport(report));
  },
};
