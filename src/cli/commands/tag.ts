import { parseMomentText } from '../../change/releases/tag-moment.js';
import { requirePositionals, stringOption } from '../arguments.js';
import { UsageError, type Command } from '../command.js';

export const tagCommand: Command = {
  name: 'tag',
  summary: 'name a log position (a release), for good: a name is given once',
  usage: '<tag> [--at <position|tag>] [-m message]',
  details: `  --at p|tag     the position to name (default: the log's head now), or another tag's
  -m, --message  why: recorded with the tag (and in its changeset's reason)

Names hold letters, digits, ".", "_", "-" and "@". Every moment option then takes the tag
(\`--at tag:v1.2\`, or the bare name where a moment is expected).

examples:
  metaledger tag v1.2 -m "spring release"
  metaledger diff-store v1.1 v1.2`,
  options: { at: { type: 'string' }, message: { type: 'string', short: 'm' } },
  async run(context, args) {
    const [name] = requirePositionals(args, ['tag']);
    const at = stringOption(args, 'at');
    const moment = at === undefined ? undefined : parseMomentText(at, '--at');
    if (moment && 'asOf' in moment) throw new UsageError('--at takes a log position or a tag here, not a date-time');
    const store = await context.store();
    const position = moment === undefined ? undefined : 'position' in moment ? moment.position : (await store.getTag(moment.tag)).position;
    const tag = await store.tag(name, { position, message: stringOption(args, 'message'), actor: context.writeContext.actor });
    context.report(tag, () => `tagged position ${tag.position} as ${tag.name} (changeset ${tag.changesetId})`);
  },
};
