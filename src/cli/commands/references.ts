import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';

export const referencesCommand: Command = {
  name: 'references',
  summary: 'list the items whose declared references name an item (they keep it from being deleted)',
  usage: '<type> <name>',
  details: `example:
  metaledger references object account`,
  async run(context, args) {
    const [type, name] = requirePositionals(args, ['type', 'name']);
    const referrers = await (await context.store()).references(type, name);
    context.report(referrers, () =>
      referrers.length === 0
        ? `nothing references ${type}/${name}`
        : referrers.map((referrer) => `${referrer.type}/${referrer.name}  (${referrer.path})`).join('\n'),
    );
  },
};
