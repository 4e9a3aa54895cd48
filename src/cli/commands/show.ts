import { describeMoment, resolveMoment } from '../../history/moment.js';
import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';
import { momentOption } from '../history-format.js';
import { describeRecord } from './get.js';

export const showCommand: Command = {
  name: 'show',
  summary: 'print an item as it was at a version, a date-time or a log position',
  usage: '<type> <name> --version n | --at ISO | --position p',
  details: `Give exactly one of --version n, --at ISO, --position p. An item that was deleted, or did not exist
yet, at that moment is an answer, not an error (exit 0).

examples:
  metaledger show object account --version 2
  metaledger show object account --at 2024-05-01T12:00:00Z --json`,
  options: { version: { type: 'string' }, at: { type: 'string' }, position: { type: 'string' } },
  async run(context, args) {
    const [type, name] = requirePositionals(args, ['type', 'name']);
    const moment = momentOption(args, ['version', 'at', 'position']);
    const at = await (await context.store()).getAt(type, name, moment);
    // "not there" is an answer about the past, not a failure: exit 0 and say which
    context.report(at, () => {
      if (at.status === 'exists') return describeRecord({ ...at.document, version: at.version, updatedAt: at.recordedAt });
      if (at.status === 'deleted') return `${type}/${name} was deleted at version ${at.version} (${at.recordedAt})`;
      return `${type}/${name} did not exist yet at ${describeMoment(resolveMoment(moment))}`;
    });
  },
};
