import type { Command } from './command.js';
import { loadAllCommands } from './commands/index.js';
import { exitCodeByErrorCode, exitCodes } from './exit-codes.js';
import { globalOptionsHelp } from './global-options.js';

async function commandList(): Promise<string> {
  const commands = await loadAllCommands();
  const width = Math.max(...commands.map((command) => command.name.length));
  return commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
}

/** `0 ok, 1 unexpected error, 2 usage, 3 VALIDATION, …`, from the table itself. */
function exitCodeLine(): string {
  const codes = [
    `${exitCodes.ok} ok`,
    `${exitCodes.unexpected} unexpected error (INTERNAL)`,
    `${exitCodes.usage} usage`,
    ...Object.entries(exitCodeByErrorCode)
      .filter(([, exit]) => exit !== exitCodes.unexpected)
      .map(([code, exit]) => `${exit} ${code}`),
  ];
  return `exit codes: ${codes.join(', ')}`;
}

/** The short usage a usage error prints; without a command, the list of all of them. */
export async function usage(command?: Command): Promise<string> {
  if (command) return `usage: metaledger ${command.name} ${command.usage}`.trimEnd();
  return `usage: metaledger <command> [arguments] [options]\n\ncommands:\n${await commandList()}`;
}

/** What --help prints: the usage, the command's summary and details, the global options, the exit codes. */
export async function help(command?: Command): Promise<string> {
  const about = command ? [command.summary, command.details].filter(Boolean).join('\n\n') : undefined;
  return [await usage(command), about, globalOptionsHelp, exitCodeLine()].filter(Boolean).join('\n\n');
}
