import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';
import { orDash, shortJson } from '../history-format.js';
import { formatTable } from '../output.js';

export const blameCommand: Command = {
  name: 'blame',
  summary: 'for each field of an item, the change that last set it',
  usage: '<type> <name>',
  details: `For every leaf of the item's current document: its value, and the version, actor, time and reason of the
change that last set it. A leaf older than a prune shows <=N (pruned).

example:
  metaledger blame object account`,
  async run(context, args) {
    const [type, name] = requirePositionals(args, ['type', 'name']);
    const lines = await (await context.store()).blame(type, name);
    context.report(lines, () =>
      lines.length === 0
        ? `${type}/${name} is deleted: no fields to blame (see history)`
        : formatTable(
            ['pointer', 'value', 'version', 'actor', 'when', 'reason'],
            lines.map((line) => [
              line.pointer,
              shortJson(line.value),
              // a leaf no retained event set dates from before the prune cut
              line.kind === 'pruned' ? `<=${line.version} (pruned)` : String(line.version),
              orDash(line.actor),
              line.recordedAt,
              orDash(line.reason),
            ]),
          ),
    );
  },
};
