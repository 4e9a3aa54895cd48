import { MetaledgerError, ValidationError } from '../../errors.js';
import type { Anchor } from '../../history/anchor.js';
import { requirePositionals, stringOption } from '../arguments.js';
import type { Command } from '../command.js';
import { count } from '../history-format.js';
import { formatTable } from '../output.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary:
    'check hash chains, version continuity and that the log replays to the projection; with --anchor, that nothing before it changed (exit 11 on problems)',
  usage: "[--anchor '<JSON from metaledger anchor>']",
  details: `  --anchor json   also prove that nothing up to the anchor's position changed, vanished or moved
                  (the JSON \`metaledger anchor\` printed, kept outside the database)

Prints every problem found and exits 11 (INTEGRITY) when there is one.

examples:
  metaledger verify
  metaledger verify --anchor "$(cat anchor.json)"`,
  options: { anchor: { type: 'string' } },
  async run(context, args) {
    requirePositionals(args, []);
    const anchor = anchorOption(stringOption(args, 'anchor'));
    const report = await (await context.store()).verify({ anchor });
    context.report(report, () =>
      report.ok
        ? `OK: ${count(report.events, 'event')} of ${count(report.items, 'item')} verified${anchor ? `; the log up to position ${anchor.position} matches the anchor` : ''}`
        : formatTable(
            ['kind', 'item', 'version', 'detail'],
            report.problems.map((problem) => [
              problem.kind,
              problem.type === undefined
                ? problem.changesetId
                  ? `changeset ${problem.changesetId}`
                  : '-'
                : `${problem.type}/${problem.name}`,
              problem.version === undefined ? '-' : String(problem.version),
              problem.detail,
            ]),
          ),
    );
    // the report is on stdout; the failure goes through the error reporter for its exit code
    if (!report.ok) throw new MetaledgerError('INTEGRITY', `${count(report.problems.length, 'integrity problem')} found`);
  },
};

/** The anchor as `metaledger anchor` printed it; store.verify checks its fields. */
function anchorOption(text: string | undefined): Anchor | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Anchor;
  } catch {
    throw new ValidationError([{ path: 'anchor', message: 'must be the JSON that `metaledger anchor` printed' }], 'invalid anchor');
  }
}
