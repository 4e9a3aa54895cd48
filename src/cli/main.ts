import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError, type Command, type CommandArgs, type OptionsConfig } from './command.js';
import { commands } from './commands/index.js';
import { createCliContext, type CliIo, type GlobalOptions } from './context.js';
import { exitCodes, reportError } from './report-error.js';

const globalOptions = {
  db: { type: 'string' },
  schema: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  actor: { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies OptionsConfig;

const globalHelp = `global options:
  --db <url>          PostgreSQL connection string (default: DATABASE_URL, else metaledger.config.json,
                      else an embedded database in ./.metaledger)
  --schema <name>     PostgreSQL schema holding the metaledger tables (default: public)
  --data-dir <dir>    directory of the embedded database (instead of --db)
  --json              print JSON on stdout
  --actor <name>      who makes the change (default: $METALEDGER_ACTOR, else the OS user)
  --reason <text>     why, recorded with the change
  -h, --help          show help`;

function commandList(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
}

/** The short usage a usage error prints; --help adds the summary and the global options. */
function usage(command?: Command): string {
  if (command) return `usage: metaledger ${command.name} ${command.usage}`;
  return `usage: metaledger <command> [arguments] [options]\n\ncommands:\n${commandList()}`;
}

function help(command?: Command): string {
  return command
    ? `${usage(command)}\n\n${command.summary}\n\n${command.help ? `${command.help}\n\n` : ''}${globalHelp}`
    : `${usage()}\n\n${globalHelp}`;
}

/** The command is the first positional; only global options may come before it. */
function findCommand(argv: string[]): { command?: Command; help: boolean } {
  const { positionals, values } = parseArgs({ args: argv, options: globalOptions, strict: false, allowPositionals: true });
  const [name] = positionals;
  const command = commands.find((candidate) => candidate.name === name);
  const wantsHelp = values.help === true;
  if (name === undefined && !wantsHelp) throw new UsageError('missing command');
  if (name !== undefined && !command) throw new UsageError(`unknown command '${name}'`);
  return { command, help: wantsHelp };
}

function parseCommandArgs(argv: string[], command: Command): CommandArgs {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      options: { ...globalOptions, ...command.options },
      strict: true,
      allowPositionals: true,
    });
    return { positionals: positionals.slice(1), values };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function globalOptionsOf(values: CommandArgs['values']): GlobalOptions {
  const value = (name: keyof typeof globalOptions) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  if (value('db') && value('data-dir')) throw new UsageError('give either --db or --data-dir, not both');
  return {
    store: { connectionString: value('db'), dataDir: value('data-dir'), schema: value('schema') },
    json: values.json === true,
    actor: value('actor'),
    reason: value('reason'),
  };
}

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 operation failed, 2 usage error. */
export async function main(argv: string[], io: CliIo = process): Promise<number> {
  let command: Command | undefined;
  let close = async () => {};
  try {
    const found = findCommand(argv);
    command = found.command;
    if (found.help || !command) {
      io.stdout.write(`${help(command)}\n`);
      return exitCodes.ok;
    }
    const args = parseCommandArgs(argv, command);
    const context = createCliContext(globalOptionsOf(args.values), io);
    close = context.close;
    await command.run(context, args);
    return exitCodes.ok;
  } catch (error) {
    return reportError(error, usage(command), (text) => io.stderr.write(text));
  } finally {
    // the outcome is decided; a failing close must not hide it
    await close().catch(() => {});
  }
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

// `node dist/src/cli/main.js …` or `node --import tsx src/cli/main.ts …`; bin/metaledger.js calls main() itself
if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));
