import { checkItemKey, checkType } from '../input/item-key.js';
import { UsageError, type CommandArgs } from './command.js';

/**
 * The positionals named by `names`, in order; a usage error names the first one missing. A `<type>` and
 * `<name>` are checked here, before any command opens the database: non-canonical keys are VALIDATION.
 */
export function requirePositionals(args: CommandArgs, names: string[]): string[] {
  const missing = names.slice(args.positionals.length);
  if (missing.length > 0) throw new UsageError(`missing argument <${missing[0]}>`);
  if (args.positionals.length > names.length) throw new UsageError(`unexpected argument '${args.positionals[names.length]}'`);
  const [type, name] = [names.indexOf('type'), names.indexOf('name')].map((i) => (i < 0 ? undefined : args.positionals[i]));
  if (name !== undefined) checkItemKey(type, name);
  else if (type !== undefined) checkType(type);
  return args.positionals;
}

export function stringOption(args: CommandArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function integerOption(args: CommandArgs, name: string, min = 0): number | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return Number(value);
}

export function choiceOption<T extends string>(args: CommandArgs, name: string, choices: readonly T[]): T | undefined {
  const value = stringOption(args, name);
  if (value === undefined || (choices as readonly string[]).includes(value)) return value as T | undefined;
  throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${value}'`);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id the database keeps as a uuid (a changeset id): checked here, so a typo is a usage error. */
export function uuidOption(args: CommandArgs, name: string, what: string): string | undefined {
  const value = stringOption(args, name);
  if (value !== undefined && !uuidPattern.test(value)) throw new UsageError(`--${name} must be ${what} (a UUID), got '${value}'`);
  return value;
}
