import { exportMetadata } from '../../service/export/export-metadata.js';
import { choiceOption, stringOption } from '../arguments.js';
import { UsageError, type Command } from '../command.js';
import { count, listOption } from '../history-format.js';
import { operatorPrincipal } from '../../service/principal.js';
import { principalOption, principalOptionHelp } from '../principal-option.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write every item (or some types / namespaces) to a JSON or YAML file, or to a directory of <type>/<name> files',
  usage: `--output <file.json|file.yaml|dir> [--format json|yaml] [--types a,b] [--namespaces a,b] [--history] [--at <moment>] [${principalOptionHelp}]`,
  details: `  --output path           a .json or .yaml file (one bundle), or a directory (one file per item)
  --format json|yaml      the format of a directory's files (a file's comes from its extension)
  --types a,b             only these types
  --namespaces a,b        only these namespaces
  --history               include every item's events
  --at moment             the items as they were then: a tag (tag:v1.2), a log position or a date-time
  --as id[:role,role]     export only what this principal may read

examples:
  metaledger export --output backup.json
  metaledger export --output ./metadata --format yaml --types object,view
  metaledger export --output release-1.2.json --at tag:v1.2`,
  options: {
    output: { type: 'string' },
    format: { type: 'string' },
    types: { type: 'string' },
    namespaces: { type: 'string' },
    history: { type: 'boolean' },
    at: { type: 'string' },
    as: { type: 'string' },
  },
  async run(context, args) {
    const output = stringOption(args, 'output');
    if (output === undefined) throw new UsageError('missing option --output <file|dir>');
    const options = {
      output: context.path(output),
      format: choiceOption(args, 'format', ['json', 'yaml'] as const),
      types: listOption(args, 'types'),
      namespaces: listOption(args, 'namespaces'),
      includeHistory: args.values.history === true,
      at: stringOption(args, 'at'),
      // without --as, the operator is trusted code and exports everything
      principal: principalOption(args) ?? operatorPrincipal(),
      progress: context.progress(),
    };
    const report = await exportMetadata(await context.store(), options);
    context.report(
      report,
      () =>
        `exported ${count(report.items, 'item')}${report.includeHistory ? ' with history' : ''} to ${report.output} (${report.format} ${report.kind}, log position ${report.position ?? 0})`,
    );
  },
};
