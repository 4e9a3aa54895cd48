import { NotFoundError } from '../../errors.js';
import type { StoredRecord } from '../../store/read-records.js';
import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';
import { formatFields } from '../output.js';

const byWhom = (at?: string, by?: string): string | undefined => (at && by ? `${at} by ${by}` : at);

export function describeRecord(record: StoredRecord): string {
  const envelope = formatFields([
    ['namespace', record.namespace],
    ['scope', record.scope],
    ['state', record.state],
    ['strategy', record.strategy],
    ['extends', record.extends],
    ['owner', record.owner],
    ['id', record.id],
    ['created', byWhom(record.createdAt, record.createdBy)],
    ['updated', byWhom(record.updatedAt, record.updatedBy)],
  ]);
  return `${record.type}/${record.name} v${record.version}\n${envelope}\n\nmetadata ${JSON.stringify(record.metadata, null, 2)}`;
}

export const getCommand: Command = {
  name: 'get',
  summary: 'print one record',
  usage: '<type> <name>',
  details: `Exits 4 (NOT_FOUND) when the item does not exist or is deleted.

examples:
  metaledger get object account
  metaledger get object account --json`,
  async run(context, args) {
    const [type, name] = requirePositionals(args, ['type', 'name']);
    const { data } = await (await context.store()).load(type, name);
    if (!data) throw new NotFoundError(`${type}/${name} does not exist`);
    context.report(data, () => describeRecord(data));
  },
};
