import { parseArgs } from 'node:util';
import { UsageError, type Command, type CommandArgs } from './command.js';
import { loadCommand } from './commands/index.js';
import { createCliContext } from './context.js';
import { exitCodes } from './exit-codes.js';
import { globalOptions, globalOptionsOf, wantsJson } from './global-options.js';
import { help, usage } from './help.js';
import { processIo, type CliIo } from './io.js';
import { reportError } from './report-error.js';
import { packageVersion } from './version.js';

/** What the command line asks for, before any option of the command is checked. */
type Invocation = { kind: 'version' } | { kind: 'help'; command?: Command } | { kind: 'run'; command: Command };

function findCommand(name: string): Promise<Command> {
  const command = loadCommand(name);
  if (!command) throw new UsageError(`unknown command '${name}'`);
  return command;
}

/** The command is the first positional; only global options may come before it. `help <command>` is help. */
async function readInvocation(argv: string[]): Promise<Invocation> {
  const { positionals, values } = parseArgs({ args: argv, options: globalOptions, strict: false, allowPositionals: true });
  const [name, topic] = positionals;
  if (name === 'help') return { kind: 'help', command: topic === undefined ? undefined : await findCommand(topic) };
  if (values.help === true) return { kind: 'help', command: name === undefined ? undefined : await findCommand(name) };
  if (values.version === true && name === undefined) return { kind: 'version' };
  if (name === undefined) throw new UsageError('missing command');
  return { kind: 'run', command: await findCommand(name) };
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

/**
 * Runs one CLI invocation and returns its exit code (see exit-codes.ts). Everything it touches outside
 * comes through `io`; it never exits the process, so it runs in-process as well as from the binary.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const json = wantsJson(argv);
  let command: Command | undefined;
  let context: ReturnType<typeof createCliContext> | undefined;
  const fail = async (error: unknown) => reportError(error, { usage: await usage(command), json, write: (text) => io.stderr.write(text) });
  try {
    const invocation = await readInvocation(argv);
    if (invocation.kind === 'version') {
      io.stdout.write(json ? `${JSON.stringify({ version: packageVersion() })}\n` : `metaledger ${packageVersion()}\n`);
      return exitCodes.ok;
    }
    if (invocation.kind === 'help') {
      io.stdout.write(`${await help(invocation.command)}\n`);
      return exitCodes.ok;
    }
    command = invocation.command;
    const args = parseCommandArgs(argv, command);
    context = createCliContext(globalOptionsOf(args.values), io);
    await command.run(context, args);
  } catch (error) {
    // the outcome is decided; a failing close must not hide it
    await context?.close().catch(() => {});
    return fail(error);
  }
  try {
    // the work is done, but a store that cannot close cleanly (files not written) is a failure to report
    await context.close();
    return exitCodes.ok;
  } catch (error) {
    return fail(error);
  }
}
