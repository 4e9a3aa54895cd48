import { extname } from 'node:path';
import YAML from 'yaml';
import type { ValidationIssue } from '../errors.js';
import { documentKeys } from '../events/document.js';
import { describeIssues, StrictMetadataRecordSchema, type StrictMetadataRecord as MetadataRecord } from '../protocol/index.js';
import { isPlainObject } from '../protocol/json.js';
import { defaultInputLimits, type InputLimits } from '../input/input-limits.js';
import { recordInputIssues } from '../input/record-input.js';

/** The format of a record file: JSON or YAML. */
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

// The parsers' own messages quote the text around the error (JSON.parse: `"TOP-SECRET …" is not valid
// JSON`; YAML: the offending line): a file's content never appears in a message, only where and what kind.
const jsonProblems = [
  'Unexpected end of JSON input',
  'Unexpected token',
  'Unexpected non-whitespace character after JSON',
  'Unterminated string in JSON',
  'Bad control character in string literal',
  'Bad escaped character',
  'Expected property name or',
  "Expected ',' or '}'",
  "Expected ',' or ']'",
  "Expected ':'",
  'Expected double-quoted property name',
  'Exponent part is missing a number',
  'Unterminated fractional number',
  'No number after minus sign',
];

/** Line and column (1-based) of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

function describeSyntaxError(error: unknown, text: string, format: RecordFormat): string {
  if (format === 'yaml') {
    const { code, linePos } = error as { code?: string; linePos?: { line: number; col: number }[] };
    const where = linePos?.[0];
    return `malformed YAML${code ? ` (${code.toLowerCase().replace(/_/g, ' ')})` : ''}${where ? ` at line ${where.line}, column ${where.col}` : ''}`;
  }
  const message = (error as Error).message;
  const kind = jsonProblems.find((problem) => message.startsWith(problem));
  const offset = /at position (\d+)/.exec(message);
  const where = offset ? lineAndColumn(text, Number(offset[1])) : undefined;
  return `malformed JSON${kind ? ` (${kind.replace(/ in JSON$/, '').toLowerCase()})` : ''}${where ? ` at line ${where.line}, column ${where.col}` : ''}`;
}

/** Parses JSON or YAML text; a syntax error becomes one issue saying where the parser stopped, never what the text says. */
export function parseRecordText(text: string, format: RecordFormat, file: string): { value?: unknown; issues: FileIssue[] } {
  try {
    // logLevel 'error': YAML's warnings go to process warnings (stderr) quoting the text
    return { value: format === 'json' ? JSON.parse(text) : YAML.parse(text, { logLevel: 'error' }), issues: [] };
  } catch (error) {
    return { issues: [fileIssue(file, '(root)', describeSyntaxError(error, text, format))] };
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

export function readRecord(value: unknown, file: string, at: string, key?: ItemKey, limits: InputLimits = defaultInputLimits): ReadRecord {
  const field = (path: string) => (at && path !== '(root)' ? `${at}.${path}` : at || path);
  if (!isPlainObject(value)) return { provided: [], issues: [fileIssue(file, field('(root)'), 'a record must be an object')] };
  const issues: FileIssue[] = [];
  if (key) {
    for (const part of ['type', 'name'] as const) {
      if (value[part] !== undefined && value[part] !== key[part]) {
        issues.push(fileIssue(file, field(part), `contradicts the file's place, which says '${key[part]}'`));
      }
    }
  }
  const given = { ...value, ...key };
  const provided = [...new Set([...Object.keys(value), ...Object.keys(key ?? {})])];
  // the strict layer first (JSON only, canonical keys), then the protocol's shape
  const input = recordInputIssues(given.type, given, limits);
  const parsed = input.record ? StrictMetadataRecordSchema.safeParse(input.record) : undefined;
  const found = input.record ? (parsed!.success ? [] : describeIssues(parsed!.error)) : input.issues;
  issues.push(...found.map((issue) => fileIssue(file, field(issue.path), issue.message)));
  if (issues.length > 0 || !parsed?.success) return { provided, issues };
  // the payload is the checked copy: zod rebuilds records key by key and drops a `__proto__` member
  return { record: { ...parsed.data, metadata: input.record!.metadata as MetadataRecord['metadata'] }, provided, issues };
}
