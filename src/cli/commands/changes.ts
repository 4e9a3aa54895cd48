import { integerOption, requirePositionals, stringOption, uuidOption } from '../arguments.js';
import type { Command } from '../command.js';
import { formatAuditTable, listOption, timestampOption } from '../history-format.js';

export const changesCommand: Command = {
  name: 'changes',
  summary: 'the store-wide audit feed in commit order, paged with a cursor',
  usage: '[--since ISO] [--until ISO] [--actor a] [--types a,b] [--namespace ns] [--changeset id] [--limit n] [--after cursor]',
  details: `  --since, --until ISO   only changes recorded in this window
  --actor a              only changes made by this actor
  --types a,b            only these item types
  --namespace ns         only items of this namespace
  --changeset id         only the events of one changeset
  --limit n              at most n events per page (n >= 1)
  --after cursor         resume after the cursor a previous page printed

examples:
  metaledger changes --since 2024-05-01T00:00:00Z --types object
  metaledger changes --after <cursor> --json`,
  options: {
    since: { type: 'string' },
    until: { type: 'string' },
    actor: { type: 'string' },
    types: { type: 'string' },
    namespace: { type: 'string' },
    changeset: { type: 'string' },
    limit: { type: 'string' },
    after: { type: 'string' },
  },
  async run(context, args) {
    requirePositionals(args, []);
    const options = {
      since: timestampOption(args, 'since'),
      until: timestampOption(args, 'until'),
      actor: stringOption(args, 'actor'),
      types: listOption(args, 'types'),
      namespace: stringOption(args, 'namespace'),
      changeset: uuidOption(args, 'changeset', 'a changeset id'),
      limit: integerOption(args, 'limit', 1),
      after: stringOption(args, 'after'),
    };
    const page = await (await context.store()).changes(options);
    context.report(page, () => {
      const table = page.events.length === 0 ? 'no changes' : formatAuditTable(page.events, { withItem: true });
      if (page.nextCursor === null) return table;
      // the cursor is worth printing even at the end: it is where the next poll resumes
      return `${table}\nnext cursor: ${page.nextCursor} (${page.hasMore ? 'more changes follow' : 'up to date'})`;
    });
  },
};
