import { ValidationError } from '../../errors.js';
import { showValue } from '../../input/canonical-text.js';
import type { MetadataRecordInput } from '../../protocol/index.js';
import type { SaveResult } from '../../store/metadata-store.js';
import { choiceOption, integerOption, requirePositionals, stringOption } from '../arguments.js';
import { UsageError, type Command } from '../command.js';
import { readRecordFile } from '../read-record-file.js';

const conflictStrategies = ['error', 'skip', 'update', 'replace'] as const;

function describeSave(key: string, result: SaveResult): string {
  if (result.skipped) return `skipped ${key} v${result.version} (already exists)`;
  if (result.unchanged) return `unchanged ${key} v${result.version} (nothing to save)`;
  return `saved ${key} v${result.version}${result.created ? ' (created)' : ''}`;
}

/** The file may repeat the item's type and name, but must not contradict the command line. */
function checkKey(record: Record<string, unknown>, key: { type: string; name: string }): void {
  const issues = (['type', 'name'] as const)
    .filter((field) => record[field] !== undefined && record[field] !== key[field])
    .map((field) => ({
      path: field,
      message: `the file says ${showValue(record[field])} but the command line says ${showValue(key[field])}`,
    }));
  if (issues.length > 0) throw new ValidationError(issues, 'record does not match the command line');
}

export const saveCommand: Command = {
  name: 'save',
  summary: 'create or update a record from a JSON file (a whole record, or just its metadata)',
  usage:
    '<type> <name> --file <path|-> [--namespace ns] [--scope s] [--state st] [--expected-version n] [--on-conflict error|skip|update|replace]',
  details: `  --file path|-               the record as JSON: a whole record { namespace?, scope?, metadata, … }, or just
                              its metadata; - reads stdin
  --namespace, --scope, --state   set these envelope fields (an update keeps those not given)
  --expected-version n        refuse (CONFLICT, exit 5) unless the item is at version n (0: must not exist)
  --on-conflict s             when the item exists: error, skip, update (default), or replace

examples:
  metaledger save object account --file account.json --reason "first cut"
  echo '{"label":"Account"}' | metaledger save object account --file - --expected-version 1`,
  options: {
    file: { type: 'string' },
    namespace: { type: 'string' },
    scope: { type: 'string' },
    state: { type: 'string' },
    'expected-version': { type: 'string' },
    'on-conflict': { type: 'string' },
  },
  async run(context, args) {
    const [type, name] = requirePositionals(args, ['type', 'name']);
    const file = stringOption(args, 'file');
    if (file === undefined) throw new UsageError('missing option --file <path|->');
    const onConflict = choiceOption(args, 'on-conflict', conflictStrategies);
    const expectedVersion = integerOption(args, 'expected-version');
    const record = await readRecordFile(file === '-' ? file : context.path(file), context.readStdin);
    checkKey(record, { type, name });
    // only envelope fields actually given: an update keeps the current value of the others
    for (const field of ['namespace', 'scope', 'state'] as const) {
      const value = stringOption(args, field);
      if (value !== undefined) record[field] = value;
    }
    const store = await context.store();
    const result = await store.save(type, { ...record, name } as MetadataRecordInput, {
      ...context.writeContext,
      onConflict,
      expectedVersion,
    });
    context.report({ type, name, ...result }, () => describeSave(`${type}/${name}`, result));
  },
};
