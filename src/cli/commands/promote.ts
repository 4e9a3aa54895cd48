import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { promote, type PromoteOptions, type PromotionResult } from '../../service/promotion/promote.js';
import type { PromotionStep } from '../../change/releases/plan-promotion.js';
import { ValidationError } from '../../errors.js';
import { summarizePatch } from '../../history/summarize.js';
import { formatOfPath, parseRecordText } from '../../loaders/record-file.js';
import type { MetadataStore } from '../../store/metadata-store.js';
import { choiceOption, requirePositionals, stringOption } from '../arguments.js';
import { UsageError, type CliContext, type Command } from '../command.js';
import { count, listOption, orDash } from '../history-format.js';
import { formatTable } from '../output.js';

const kindOfAction = { create: 'created', update: undefined, delete: 'deleted', conflict: undefined } as const;

function describeStep(step: PromotionStep): string {
  const summary = summarizePatch(step.patch, kindOfAction[step.action]);
  return step.action === 'conflict'
    ? `${step.resolution ?? 'refused'}: target changed ${summarizePatch(step.localPatch ?? [])}; source: ${summary}`
    : summary;
}

function describePromotion(result: PromotionResult): string {
  const from = `${result.source} at ${result.tag ? `tag ${result.tag} (position ${result.position})` : `position ${result.position}`}`;
  if (result.alreadyPromoted) return `already promoted: ${from}; nothing written`;
  if (result.steps.length === 0) return `nothing to promote: the target already matches ${from}`;
  const table = formatTable(
    ['action', 'item', 'from version', 'changes'],
    result.steps.map((step) => [step.action, `${step.type}/${step.name}`, orDash(step.fromVersion?.toString()), describeStep(step)]),
  );
  const outcome = result.dryRun
    ? 'dry run: nothing written'
    : result.changesetId
      ? `promoted ${count(result.steps.filter((step) => step.action !== 'conflict' || step.resolution === 'overwritten').length, 'item')} from ${from} in changeset ${result.changesetId}`
      : 'nothing written';
  return `${table}\n${outcome}`;
}

/** The source: a PostgreSQL URL, a PGlite data directory, or an export file (.json, .yaml, .yml). */
async function openSource(
  context: CliContext,
  given: string,
  schema: string | undefined,
): Promise<{ from: PromoteOptions['from']; close(): Promise<void>; name?: string }> {
  const { createMetadataStore } = await import('../../store/create-store.js');
  const opened = (store: MetadataStore) => ({ from: store, close: () => store.close() });
  if (/^postgres(ql)?:\/\//.test(given)) return opened(await createMetadataStore({ connectionString: given, schema, configFile: false }));
  const path = context.path(given);
  const found = await stat(path).catch(() => undefined);
  if (!found)
    throw new UsageError(`--from ${given}: no such file or directory (give a PostgreSQL URL, a data directory or an export file)`);
  if (found.isDirectory()) return opened(await createMetadataStore({ dataDir: path, configFile: false }));
  const format = formatOfPath(path);
  if (!format) throw new UsageError(`--from ${given}: an export file ends in .json, .yaml or .yml`);
  const parsed = parseRecordText(await readFile(path, 'utf8'), format, basename(path));
  if (parsed.issues.length > 0) throw new ValidationError(parsed.issues, `--from ${given} is not a readable export`);
  return { from: parsed.value as Record<string, unknown>, close: async () => {}, name: `export:${path}` };
}

export const promoteCommand: Command = {
  name: 'promote',
  summary: "apply a source's state (a store at a tag or moment, or an export file) to this store, in one changeset",
  usage:
    '--from <url|data dir|export file> [--at <tag|moment>] [--namespace ns] [--types a,b] [--on-conflict refuse|skip|overwrite] [--dry-run]',
  details: `  --from src          a PostgreSQL URL (with --from-schema), a PGlite data directory, or an export file
  --from-schema s     the source's schema on PostgreSQL (default: public)
  --at m              the source's moment: tag:<name> or a tag name, a log position, a date-time
                      (default: its head; an export file is its own moment)
  --namespace ns      only items of this namespace
  --types a,b         only these types
  --on-conflict c     an item this store changed since the last promotion from this source:
                      refuse (default: nothing is written), skip it, or overwrite it
  --source-name n     how this store's history names the source (default: its place)
  --dry-run           print the plan, write nothing

The changeset's reason and target record the source and its position; promoting the same position
again writes nothing.

examples:
  metaledger promote --from postgres://staging.internal/meta --at v1.2 --namespace crm --dry-run
  metaledger promote --from release-1.2.json --reason "release 1.2"`,
  options: {
    from: { type: 'string' },
    'from-schema': { type: 'string' },
    at: { type: 'string' },
    namespace: { type: 'string' },
    types: { type: 'string' },
    'on-conflict': { type: 'string' },
    'source-name': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  async run(context, args) {
    requirePositionals(args, []);
    const given = stringOption(args, 'from');
    if (given === undefined) throw new UsageError('--from is required');
    const options = {
      at: stringOption(args, 'at'),
      namespace: stringOption(args, 'namespace'),
      types: listOption(args, 'types'),
      onConflict: choiceOption(args, 'on-conflict', ['refuse', 'skip', 'overwrite'] as const),
      dryRun: args.values['dry-run'] === true,
      actor: context.writeContext.actor,
      reason: context.writeContext.reason,
    };
    const source = await openSource(context, given, stringOption(args, 'from-schema'));
    try {
      const to = await context.store();
      const result = await promote({ ...options, from: source.from, to, sourceName: stringOption(args, 'source-name') ?? source.name });
      context.report(result, () => describePromotion(result));
    } finally {
      await source.close();
    }
  },
};
