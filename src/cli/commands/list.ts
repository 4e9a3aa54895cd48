import { integerOption, requirePositionals, stringOption } from '../arguments.js';
import type { Command } from '../command.js';
import { formatTable } from '../output.js';

export const listCommand: Command = {
  name: 'list',
  summary: 'list the records of one type, by name',
  usage: '<type> [--namespace ns] [--scope s] [--state st] [--limit n]',
  details: `  --namespace ns   only records of this namespace
  --scope s        only records of this scope (system, platform, user)
  --state st       only records in this state (active, draft, archived, …)
  --limit n        at most n records (n >= 1)

example:
  metaledger list object --namespace crm --json`,
  options: {
    namespace: { type: 'string' },
    scope: { type: 'string' },
    state: { type: 'string' },
    limit: { type: 'string' },
  },
  async run(context, args) {
    const [type] = requirePositionals(args, ['type']);
    const filters = {
      namespace: stringOption(args, 'namespace'),
      scope: stringOption(args, 'scope'),
      state: stringOption(args, 'state'),
      limit: integerOption(args, 'limit', 1),
    };
    const records = await (await context.store()).list(type, filters);
    context.report(records, () =>
      records.length === 0
        ? `no ${type} records`
        : formatTable(
            ['name', 'namespace', 'scope', 'state', 'version', 'updated at'],
            records.map((record) => [
              record.name,
              record.namespace,
              record.scope,
              record.state,
              String(record.version),
              record.updatedAt ?? '',
            ]),
          ),
    );
  },
};
