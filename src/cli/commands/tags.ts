import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';
import { orDash } from '../history-format.js';
import { formatTable } from '../output.js';

export const tagsCommand: Command = {
  name: 'tags',
  summary: 'list the tags (named releases), oldest first',
  usage: '',
  async run(context, args) {
    requirePositionals(args, []);
    const tags = await (await context.store()).tags();
    context.report(tags, () =>
      tags.length === 0
        ? 'no tags yet (metaledger tag <name>)'
        : formatTable(
            ['tag', 'position', 'by', 'at', 'message'],
            tags.map((tag) => [tag.name, String(tag.position), orDash(tag.actor), tag.createdAt, orDash(tag.message)]),
          ),
    );
  },
};
