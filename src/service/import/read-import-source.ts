import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ValidationError } from '../../errors.js';
import { FileLoader } from '../../loaders/file/file-loader.js';
import type { ProgressReporter } from '../../loaders/progress.js';
import { fileIssue, formatOfPath, parseRecordText, readRecord, type FileIssue } from '../../loaders/record-file.js';
import type { MetadataRecord } from '../../protocol/index.js';
import { isPlainObject } from '../../protocol/json.js';

/** One record to import and where it came from. */
export interface SourceItem {
  record: MetadataRecord;
  provided: string[];
  /** The file (relative to a source directory), with the record's place in a bundle: `backup.json:items.3`. */
  file: string;
}

export interface ImportSource {
  items: SourceItem[];
  /** Every problem of every file, each with its file and path. */
  issues: FileIssue[];
}

/** A bundle is `{ items: [...] }` (an export), a bare array of records, or one record. */
function recordsOfBundle(value: unknown, file: string): { at: string; value: unknown }[] | FileIssue {
  if (Array.isArray(value)) return value.map((item, i) => ({ at: String(i), value: item }));
  if (isPlainObject(value) && Array.isArray(value.items)) return value.items.map((item, i) => ({ at: `items.${i}`, value: item }));
  if (isPlainObject(value) && 'metadata' in value) return [{ at: '', value }];
  return fileIssue(file, '(root)', 'expected an export bundle { items: [...] }, an array of records, or one record');
}

/** The records of a bundle value (an export, an array of records, or one record), each checked. */
export function sourceOfBundle(value: unknown, file: string): ImportSource {
  const entries = recordsOfBundle(value, file);
  if (!Array.isArray(entries)) return { items: [], issues: [entries] };
  const source: ImportSource = { items: [], issues: [] };
  for (const entry of entries) {
    const { record, provided, issues } = readRecord(entry.value, file, entry.at);
    if (record) source.items.push({ record, provided, file: entry.at ? `${file}:${entry.at}` : file });
    source.issues.push(...issues);
  }
  return withDuplicatesFlagged(source);
}

async function readBundle(path: string): Promise<ImportSource> {
  const file = basename(path);
  const format = formatOfPath(path);
  if (!format) return { items: [], issues: [fileIssue(file, '(root)', 'a source file must end in .json, .yaml or .yml')] };
  const parsed = parseRecordText(await readFile(path, 'utf8'), format, file);
  if (parsed.issues.length > 0) return { items: [], issues: parsed.issues };
  return sourceOfBundle(parsed.value, file);
}

/** A directory laid out as a file loader's: `<type>/<name>.json|.yaml|.yml`. A record file beside the type folders is a mistake worth saying. */
async function readDirectory(root: string, progress: ProgressReporter): Promise<ImportSource> {
  const loader = new FileLoader({ root });
  const { items, issues } = await loader.scan(undefined, () => progress.tick());
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isFile() && formatOfPath(entry.name) && !entry.name.startsWith('.')) {
      issues.push(fileIssue(entry.name, '(root)', 'a record file must sit in a <type>/ folder (or import this bundle file by itself)'));
    }
  }
  return { items: items.map(({ record, provided, file }) => ({ record, provided, file })), issues };
}

/** Reads and validates a source file or directory; the same item twice is a problem too. */
export async function readImportSource(source: string, progress: ProgressReporter): Promise<ImportSource> {
  const path = resolve(source);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ValidationError([{ path: 'source', message: `${source} does not exist` }], 'invalid import options');
  progress.start('reading files');
  const read = info.isDirectory() ? withDuplicatesFlagged(await readDirectory(path, progress)) : await readBundle(path);
  progress.done();
  return read;
}

/** The same item twice in one source is a problem of the later one. */
function withDuplicatesFlagged(read: ImportSource): ImportSource {
  const firstFile = new Map<string, string>();
  for (const item of read.items) {
    const key = `${item.record.type}/${item.record.name}`;
    const earlier = firstFile.get(key);
    if (earlier) read.issues.push(fileIssue(item.file, 'name', `${key} is also given in ${earlier}`));
    else firstFile.set(key, item.file);
  }
  return read;
}
