import { readFile } from 'node:fs/promises';
import { ValidationError } from '../../errors.js';
import type { TypeInfo } from '../../change/types/type-info.js';
import { integerOption, requirePositionals, stringOption } from '../arguments.js';
import { UsageError, type CommandArgs, type Command, type CliContext } from '../command.js';

/** `path=type` pairs of --reference, each a payload field naming items of a type. */
function referencesOf(args: CommandArgs): { path: string; type: string }[] {
  const given = args.values.reference as unknown as string[] | undefined;
  return (given ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new UsageError(`--reference must be path=type, got '${pair}'`);
    return { path: pair.slice(0, at), type: pair.slice(at + 1) };
  });
}

async function readSchema(context: CliContext, file: string): Promise<Record<string, unknown>> {
  const source = file === '-' ? 'stdin' : file;
  let parsed: unknown;
  try {
    parsed = JSON.parse(file === '-' ? await context.readStdin() : await readFile(context.path(file), 'utf8'));
  } catch (error) {
    throw new ValidationError([{ path: source, message: (error as Error).message }], 'cannot read the JSON Schema in --file');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ValidationError([{ path: source, message: 'must hold a JSON Schema object' }], 'invalid --file');
  return parsed as Record<string, unknown>;
}

const describeType = (info: TypeInfo) =>
  [
    `${info.type} v${info.version}`,
    ...info.references.map((reference) => `reference  ${reference.path} → ${reference.type}`),
    JSON.stringify(info.schema, null, 2),
  ].join('\n');

async function define(context: CliContext, args: CommandArgs): Promise<void> {
  const [, type] = requirePositionals(args, ['action', 'type']);
  const file = stringOption(args, 'file');
  if (file === undefined) throw new UsageError('missing option --file <path|->');
  const version = integerOption(args, 'schema-version', 1);
  const references = referencesOf(args);
  const schema = await readSchema(context, file);
  const result = await (await context.store()).defineType(type, { schema, version, references }, context.writeContext);
  const what = result.unchanged ? 'unchanged' : result.created ? 'defined' : 'redefined';
  context.report({ type, ...result }, () => `${what} type ${type} (_type/${type} v${result.version})`);
}

async function list(context: CliContext, args: CommandArgs): Promise<void> {
  requirePositionals(args, ['action']);
  const types = await (await context.store()).listTypes();
  context.report(types, () =>
    types.length === 0
      ? 'no types defined'
      : types.map((info) => `${info.type.padEnd(24)} v${info.version}  ${info.references.length} reference(s)`).join('\n'),
  );
}

async function show(context: CliContext, args: CommandArgs): Promise<void> {
  const [, type] = requirePositionals(args, ['action', 'type']);
  const info = await (await context.store()).getType(type);
  context.report(info, () => describeType(info));
}

const actions = { define, list, show };

export const typeCommand: Command = {
  name: 'type',
  summary: 'define, list and show type definitions (typed metadata, see docs/types.md)',
  usage: 'define <type> --file <schema.json|-> [--schema-version n] [--reference path=type …] | list | show <type>',
  details: `  define <type>            store the JSON Schema in --file as the type's definition (checked on every write)
  --schema-version n       the schema's version (default 1); raise it whenever the schema changes
  --reference path=type    a payload field naming items of a type (repeat for several); such items
                           cannot be deleted while named (delete --force overrides)
  list                     every defined type with its version
  show <type>              one type's version, references and JSON Schema

examples:
  metaledger type define view --file view.schema.json --reference object=object --reason "typed views"
  metaledger type show view --json`,
  options: { file: { type: 'string' }, 'schema-version': { type: 'string' }, reference: { type: 'string', multiple: true } },
  async run(context, args) {
    const [action] = args.positionals;
    if (action === undefined) throw new UsageError('missing argument <action>: define, list or show');
    if (!Object.hasOwn(actions, action)) throw new UsageError(`unknown action '${action}': define, list or show`);
    await actions[action as keyof typeof actions](context, args);
  },
};
