import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';
import { describeItemAt, diffSideArgument, formatOperation } from '../history-format.js';

export const diffCommand: Command = {
  name: 'diff',
  summary: 'the RFC 6902 patch between two versions or two date-times of an item',
  usage: '<type> <name> <from> <to>   (each a version number or an ISO date-time)',
  async run(context, args) {
    const [type, name, from, to] = requirePositionals(args, ['type', 'name', 'from', 'to']);
    const diff = await (await context.store()).diff(type, name, diffSideArgument(from, 'from'), diffSideArgument(to, 'to'));
    context.report(diff, () => {
      const heading = `${type}/${name}: ${describeItemAt(diff.from)} → ${describeItemAt(diff.to)}`;
      if (diff.identical) return `${heading}\nidentical`;
      return [heading, ...diff.patch.map((op) => `  ${formatOperation(op)}`), diff.summary].join('\n');
    });
  },
};
