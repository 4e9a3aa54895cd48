import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';
import { describeItemAt, diffSideArgument, formatOperation } from '../history-format.js';

export const diffCommand: Command = {
  name: 'diff',
  summary: 'the RFC 6902 patch between two versions or two date-times of an item',
  usage: '<type> <name> <from> <to>   (each a version number or an ISO date-time)',
  details: `examples:
  metaledger diff object account 1 3
  metaledger diff object account 2024-05-01T00:00:00Z 2024-06-01T00:00:00Z`,
  async run(context, args) {
    const [type, name, from, to] = requirePositionals(args, ['type', 'name', 'from', 'to']);
    const sides = [diffSideArgument(from, 'from'), diffSideArgument(to, 'to')] as const;
    const diff = await (await context.store()).diff(type, name, ...sides);
    context.report(diff, () => {
      const heading = `${type}/${name}: ${describeItemAt(diff.from)} → ${describeItemAt(diff.to)}`;
      if (diff.identical) return `${heading}\nidentical`;
      return [heading, ...diff.patch.map((op) => `  ${formatOperation(op)}`), diff.summary].join('\n');
    });
  },
};
