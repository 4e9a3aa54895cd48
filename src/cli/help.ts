import type { Command } from './command.js';
import { commands } from './commands/index.js';
import { exitCodeByErrorCode, exitCodes } from './exit-codes.js';
import { globalOptionsHelp } from './global-options.js';

function commandList(): string {
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

/** The short usage a usage error prints. */
export function usage(command?: Command): string {
  if (command) return `usage: metaledger ${command.name} ${command.usage}`.trimEnd();
  return `usage: metaledger <command> [arguments] [options]\n\ncommands:\n${commandList()}`;
}

/** What --help prints: the usage, the command's summary and details, the global options, the exit codes. */
export function help(command?: Command): string {
  const about = command ? [command.summary, command.details].filter(Boolean).join('\n\n') : undefined;
  return [usage(command), about, globalOptionsHelp, exitCodeLine()].filter(Boolean).join('\n\n');
}
