import type { PatchOperation } from '../events/patch.js';
import type { DiffSide } from '../history/diff.js';
import type { ItemAt } from '../history/get-at.js';
import type { AuditEvent } from '../history/item-history.js';
import type { Moment } from '../history/moment.js';
import { integerOption, stringOption } from './arguments.js';
import { UsageError, type CommandArgs } from './command.js';
import { formatTable } from './output.js';

// ——— arguments shared by the history commands ———

/** Date-times are checked here, so a typo is a usage error rather than a database error. */
function checkTimestamp(value: string, label: string): string {
  if (Number.isNaN(Date.parse(value))) throw new UsageError(`${label} must be an ISO 8601 date-time, got '${value}'`);
  return value;
}

export function timestampOption(args: CommandArgs, name: string): string | undefined {
  const value = stringOption(args, name);
  return value === undefined ? undefined : checkTimestamp(value, `--${name}`);
}

/** A comma-separated option: `--types object,view` gives ['object', 'view']. */
export function listOption(args: CommandArgs, name: string): string[] | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new UsageError(`--${name} must list at least one value, got '${value}'`);
  return items;
}

type MomentOption = 'version' | 'at' | 'position';

/** Exactly one of the moment options the command offers (`--version N`, `--at ISO`, `--position P`). */
export function momentOption(args: CommandArgs, offered: MomentOption[]): Moment {
  const given = offered.filter((name) => args.values[name] !== undefined);
  if (given.length !== 1) throw new UsageError(`give exactly one of ${offered.map((name) => `--${name}`).join(', ')}`);
  const [name] = given;
  if (name === 'at') return { asOf: timestampOption(args, 'at')! };
  return name === 'version' ? { version: integerOption(args, 'version')! } : { position: integerOption(args, 'position')! };
}

export function integerArgument(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`<${name}> must be an integer >= 0, got '${value}'`);
  return Number(value);
}

/** A diff side: all digits is a version number, anything else must be a date-time. */
export function diffSideArgument(value: string, name: string): DiffSide {
  return /^\d+$/.test(value) ? Number(value) : checkTimestamp(value, `<${name}>`);
}

// ——— output ———

/** `1 item`, `3 items`. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export const orDash = (value: string | null | undefined): string => value ?? '-';

/** A JSON value on one table cell, cut short. */
export function shortJson(value: unknown, width = 40): string {
  const text = JSON.stringify(value);
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** One RFC 6902 operation on one line: `replace /metadata/label "Total"`. */
export function formatOperation(op: PatchOperation): string {
  const parts: string[] = [op.op, op.path];
  if ('from' in op) parts.push(`from ${op.from}`);
  if ('value' in op) parts.push(JSON.stringify(op.value));
  return parts.join(' ');
}

/** How an item stood at a moment, in a few words: `v3`, `deleted (v3)`, `not yet created`. */
export function describeItemAt(at: ItemAt): string {
  if (at.status === 'exists') return `v${at.version}`;
  return at.status === 'deleted' ? `deleted (v${at.version})` : 'not yet created';
}

/** Audit events as a table; the store-wide feed adds the item each event belongs to. */
export function formatAuditTable(events: AuditEvent[], { withItem }: { withItem: boolean }): string {
  const headers = ['version', 'kind', 'when', 'actor', 'reason', 'summary'];
  const cells = (event: AuditEvent) => [
    String(event.version),
    event.kind,
    event.recordedAt,
    orDash(event.actor),
    orDash(event.reason),
    event.summary,
  ];
  if (!withItem) return formatTable(headers, events.map(cells));
  return formatTable(
    ['item', ...headers],
    events.map((event) => [`${event.type}/${event.name}`, ...cells(event)]),
  );
}
