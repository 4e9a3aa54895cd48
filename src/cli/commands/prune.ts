import { integerOption, requirePositionals } from '../arguments.js';
import { UsageError, type Command } from '../command.js';
import { count, timestampOption } from '../history-format.js';

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'remove events recorded before a date-time, keeping every current state and later version readable',
  usage: '--before ISO [--keep-versions n]',
  details: `  --before ISO        remove events recorded before this date-time
  --keep-versions n   keep at least the n latest versions of every item (default 1)

Time travel to before the cut answers HISTORY_PRUNED (exit 10) afterwards.

example:
  metaledger prune --before 2023-01-01T00:00:00Z --keep-versions 5`,
  options: { before: { type: 'string' }, 'keep-versions': { type: 'string' } },
  async run(context, args) {
    requirePositionals(args, []);
    const before = timestampOption(args, 'before');
    if (before === undefined) throw new UsageError('missing option --before <ISO date-time>');
    const keepVersions = integerOption(args, 'keep-versions', 1) ?? 1;
    const result = await (await context.store()).prune({ before, keepVersions });
    context.report(
      { before, keepVersions, ...result },
      () =>
        `pruned ${count(result.eventsRemoved, 'event')} of ${count(result.items, 'item')} recorded before ${before} (keeping at least ${count(keepVersions, 'version')} of each)`,
    );
  },
};
