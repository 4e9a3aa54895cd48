import { MetaledgerError } from '../../errors.js';
import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';
import { count } from '../history-format.js';
import { formatTable } from '../output.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check hash chains, version continuity and that the log replays to the projection (exit 11 on problems)',
  usage: '',
  details: `Prints every problem found and exits 11 (INTEGRITY) when there is one.`,
  async run(context, args) {
    requirePositionals(args, []);
    const report = await (await context.store()).verify();
    context.report(report, () =>
      report.ok
        ? `OK: ${count(report.events, 'event')} of ${count(report.items, 'item')} verified`
        : formatTable(
            ['kind', 'item', 'version', 'detail'],
            report.problems.map((problem) => [
              problem.kind,
              `${problem.type}/${problem.name}`,
              problem.version === undefined ? '-' : String(problem.version),
              problem.detail,
            ]),
          ),
    );
    // the report is on stdout; the failure goes through the error reporter for its exit code
    if (!report.ok) throw new MetaledgerError('INTEGRITY', `${count(report.problems.length, 'integrity problem')} found`);
  },
};
