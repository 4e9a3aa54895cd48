import { parsePrincipal, type Principal } from '../service/principal.js';
import { stringOption } from './arguments.js';
import { UsageError, type CommandArgs } from './command.js';

export const principalOptionHelp = '--as <id[:role,role]>';

/** `--as alice:admin` checks the command against the scope access rules as that principal; absent, the command decides (see its usage). */
export function principalOption(args: CommandArgs): Principal | undefined {
  const value = stringOption(args, 'as');
  if (value === undefined) return undefined;
  try {
    return parsePrincipal(value);
  } catch {
    throw new UsageError(`--as must be id or id:role,role, got '${value}'`);
  }
}
