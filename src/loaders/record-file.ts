import { extname } from 'node:path';
import YAML from 'yaml';
import type { ValidationIssue } from '../errors.js';
import { documentKeys } from '../events/document.js';
import { describeIssues, StrictMetadataRecordSchema, type StrictMetadataRecord as MetadataRecord } from '../protocol/index.js';
import { isPlainObject } from '../protocol/json.js';

export type RecordFormat = 'json' | 'yaml';

const formatsByExtension: Record<string, RecordFormat> = { '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml' };
export const recordExtensions = Object.keys(formatsByExtension);

export function formatOfPath(path: string): RecordFormat | undefined {
  return formatsByExtension[extname(path).toLowerCase()];
}

/** A problem found in one file: `path` reads `<file>:<field path>` so a person finds it without the other fields. */
export interface FileIssue extends ValidationIssue {
  file: string;
  field: string;
}

export function fileIssue(file: string, field: string, message: string): FileIssue {
  return { file, field, path: `${file}:${field}`, message };
}

/** Parses JSON or YAML text; a syntax error becomes one issue naming the line where the parser stopped. */
export function parseRecordText(text: string, format: RecordFormat, file: string): { value?: unknown; issues: FileIssue[] } {
  try {
    return { value: format === 'json' ? JSON.parse(text) : YAML.parse(text), issues: [] };
  } catch (error) {
    const where = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const message = `malformed ${format.toUpperCase()}: ${(error as Error).message.split('\n')[0]}${where ? ` (line ${where.line}, column ${where.col})` : ''}`;
    return { issues: [fileIssue(file, '(root)', message)] };
  }
}

/** How text is laid out (the protocol's save options prettify, indent and sortKeys); by default 2-space, keys in envelope order. */
export interface TextLayout {
  /** false: JSON on one line, YAML in flow style. */
  prettify?: boolean;
  indent?: number;
  /** Every object's keys in alphabetical order, at every depth. */
  sortKeys?: boolean;
}

/**
 * A record as it is written to a file or an export: the envelope in a fixed order, then `extra` (e.g. the
 * history). The same record always gives the same bytes, so files round-trip exactly.
 */
export function serializeRecord(
  record: Partial<MetadataRecord>,
  format: RecordFormat,
  extra: Record<string, unknown> = {},
  layout: TextLayout = {},
): string {
  return serializeValue(orderRecord(record, extra), format, layout);
}

export function orderRecord(record: Partial<MetadataRecord>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of documentKeys) if (record[key] !== undefined && record[key] !== null) ordered[key] = record[key];
  return Object.assign(ordered, extra);
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys(value[key])]),
  );
}

export function serializeValue(value: unknown, format: RecordFormat, layout: TextLayout = {}): string {
  const { prettify = true, indent = 2, sortKeys = false } = layout;
  const laidOut = sortKeys ? sortedKeys(value) : value;
  if (format === 'json') return `${JSON.stringify(laidOut, null, prettify ? indent : 0)}\n`;
  return YAML.stringify(laidOut, { lineWidth: 0, indent, ...(prettify ? {} : { collectionStyle: 'flow' as const }) });
}

export interface ItemKey {
  type: string;
  name: string;
}

/**
 * Validates one record found in a file. `at` is where it sits in the file ('' for a file holding one
 * record, 'items.3' in a bundle); `key` is the type and name the file's place in a directory gives it,
 * which the content may repeat but not contradict.
 */
export interface ReadRecord {
  record?: MetadataRecord;
  /** The fields the file itself gives (a merge keeps the current value of the others). */
  provided: string[];
  issues: FileIssue[];
}

export function readRecord(value: unknown, file: string, at: string, key?: ItemKey): ReadRecord {
  const field = (path: string) => (at && path !== '(root)' ? `${at}.${path}` : at || path);
  if (!isPlainObject(value)) return { provided: [], issues: [fileIssue(file, field('(root)'), 'a record must be an object')] };
  const issues: FileIssue[] = [];
  if (key) {
    for (const part of ['type', 'name'] as const) {
      if (value[part] !== undefined && value[part] !== key[part]) {
        issues.push(fileIssue(file, field(part), `'${String(value[part])}' contradicts the file's place, which says '${key[part]}'`));
      }
    }
  }
  const parsed = StrictMetadataRecordSchema.safeParse({ ...value, ...key });
  if (!parsed.success) issues.push(...describeIssues(parsed.error).map((issue) => fileIssue(file, field(issue.path), issue.message)));
  const provided = [...new Set([...Object.keys(value), ...Object.keys(key ?? {})])];
  return issues.length > 0 ? { provided, issues } : { record: parsed.data, provided, issues };
}
