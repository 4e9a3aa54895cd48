import type { StoreDiff } from '../../change/releases/diff-store.js';
import { parseMomentText } from '../../change/releases/tag-moment.js';
import { summarizePatch } from '../../history/summarize.js';
import { requirePositionals, stringOption } from '../arguments.js';
import type { Command } from '../command.js';
import { listOption, orDash } from '../history-format.js';
import { formatTable } from '../output.js';

const kindOfChange = { created: 'created', modified: undefined, deleted: 'deleted' } as const;

function describeStoreDiff(diff: StoreDiff): string {
  const heading = `${diff.from} → ${diff.to}`;
  if (diff.changes.length === 0) return `${heading}: no item differs`;
  const table = formatTable(
    ['change', 'item', 'versions', 'changes'],
    diff.changes.map((change) => [
      change.change,
      `${change.type}/${change.name}`,
      `${orDash(change.fromVersion?.toString())} → ${orDash(change.toVersion?.toString())}`,
      summarizePatch(change.patch, kindOfChange[change.change]),
    ]),
  );
  const { created, modified, deleted } = diff.counts;
  return `${heading}\n${table}\ncreated ${created}, modified ${modified}, deleted ${deleted}`;
}

export const diffStoreCommand: Command = {
  name: 'diff-store',
  summary: 'every item that differs between two moments of the store (the review of a release)',
  usage: '<from> <to> [--namespace ns] [--types a,b]   (each a tag, a log position or an ISO date-time)',
  details: `  <from> <to>      tag:<name> or a bare tag name, a log position (digits), or a date-time
  --namespace ns   only items of this namespace
  --types a,b      only these types

examples:
  metaledger diff-store v1.1 v1.2
  metaledger diff-store tag:v1.2 2024-06-01T00:00:00Z --json`,
  options: { namespace: { type: 'string' }, types: { type: 'string' } },
  async run(context, args) {
    const [from, to] = requirePositionals(args, ['from', 'to']);
    const moments = [parseMomentText(from, '<from>'), parseMomentText(to, '<to>')] as const;
    const options = { namespace: stringOption(args, 'namespace'), types: listOption(args, 'types') };
    const diff = await (await context.store()).diffStore(...moments, options);
    context.report(diff, () => describeStoreDiff(diff));
  },
};
