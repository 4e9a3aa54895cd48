import type { CommandArgs, OptionsConfig } from './command.js';
import { UsageError } from './command.js';
import type { GlobalOptions } from './context.js';

/** Options every command takes, before or after the command name. */
export const globalOptions = {
  db: { type: 'string' },
  schema: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  actor: { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} satisfies OptionsConfig;

export const globalOptionsHelp = `global options:
  --db <url>          PostgreSQL connection string (default: $DATABASE_URL, else metaledger.config.json,
                      else an embedded database in ./.metaledger)
  --data-dir <dir>    directory of the embedded database (instead of --db; default $METALEDGER_DATA_DIR)
  --schema <name>     schema holding the metaledger tables (default: $METALEDGER_SCHEMA, else the config
                      file's, else public)
  --config <file>     the config file (default: ./metaledger.config.json when it exists)
  --json              print JSON on stdout, and errors as JSON on stderr
  --verbose           say on stderr which database is used, and from which setting
  --actor <name>      who makes the change (default: $METALEDGER_ACTOR, else the OS user)
  --reason <text>     why, recorded with the change
  -h, --help          show help (also: metaledger help <command>)
  --version           print the version`;

/** The global options as the context takes them; --db and --data-dir exclude each other. */
export function globalOptionsOf(values: CommandArgs['values']): GlobalOptions {
  const value = (name: keyof typeof globalOptions) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  if (value('db') !== undefined && value('data-dir') !== undefined) throw new UsageError('give either --db or --data-dir, not both');
  for (const name of ['db', 'data-dir', 'schema', 'config'] as const) {
    if (value(name) === '') throw new UsageError(`--${name} must not be empty`);
  }
  return {
    store: { connectionString: value('db'), dataDir: value('data-dir'), schema: value('schema'), configFile: value('config') },
    json: values.json === true,
    verbose: values.verbose === true,
    actor: value('actor'),
    reason: value('reason'),
  };
}

/**
 * Whether the run asked for JSON, read before parsing: a command line too wrong to parse still gets its
 * error in the format asked for. Arguments after `--` are not options.
 */
export function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
