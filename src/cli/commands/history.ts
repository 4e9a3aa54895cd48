import type { EventKind } from '../../events/document.js';
import { integerOption, requirePositionals, stringOption } from '../arguments.js';
import type { Command } from '../command.js';
import { formatAuditTable, listOption, timestampOption } from '../history-format.js';

export const historyCommand: Command = {
  name: 'history',
  summary: "an item's events, newest first: who changed what, when and why",
  usage: '<type> <name> [--limit n] [--offset n] [--actor a] [--since ISO] [--until ISO] [--kinds created,updated,…]',
  details: `  --limit n              at most n events (n >= 1)
  --offset n             skip the n newest first
  --actor a              only events of changes made by this actor
  --since, --until ISO   only events recorded in this window
  --kinds a,b            only these kinds: created, updated, deleted, archived, restored, rolled_back, …

example:
  metaledger history object account --actor alice --limit 10`,
  options: {
    limit: { type: 'string' },
    offset: { type: 'string' },
    actor: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    kinds: { type: 'string' },
  },
  async run(context, args) {
    const [type, name] = requirePositionals(args, ['type', 'name']);
    const offset = integerOption(args, 'offset') ?? 0;
    const options = {
      limit: integerOption(args, 'limit', 1),
      offset,
      actor: stringOption(args, 'actor'),
      since: timestampOption(args, 'since'),
      until: timestampOption(args, 'until'),
      kinds: listOption(args, 'kinds') as EventKind[] | undefined,
    };
    const page = await (await context.store()).history(type, name, options);
    context.report(page, () => {
      if (page.events.length === 0) return `no events of ${type}/${name} match (${page.total} in all)`;
      const shown = `events ${offset + 1}–${offset + page.events.length} of ${page.total}`;
      const more = page.hasMore ? `; next page: --offset ${offset + page.events.length}` : '';
      return `${formatAuditTable(page.events, { withItem: false })}\n${shown}${more}`;
    });
  },
};
