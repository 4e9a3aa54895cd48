import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ValidationError } from '../../errors.js';
import type { StrictMetadataRecord as MetadataRecord } from '../../protocol/index.js';
import { isPlainObject } from '../../protocol/json.js';
import { contentStats, type ItemStats } from '../content-stats.js';
import { parseRecordText, readRecord, type FileIssue, type ItemKey, type RecordFormat } from '../record-file.js';
import { candidatePaths, keyOfPath } from './item-path.js';

/** One file as read: always its stats, and the record when the content is valid. */
export interface FileEntry {
  stats: ItemStats;
  record?: MetadataRecord;
  provided?: string[];
  issues: FileIssue[];
  /** Identity of the bytes read: a rename (atomic write) or an edit changes one of these. */
  ino: number;
  mtimeMs: number;
}

/** An item's file where it was found. */
export interface Located {
  path: string;
  format: RecordFormat;
  stat: Stats;
}

const missing = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/** The item's file; the same item in two files (a.json and a.yaml) is an error, not a guess. */
export async function locateItem(root: string, type: string, name: string): Promise<Located | undefined> {
  const found: Located[] = [];
  for (const path of candidatePaths(root, type, name)) {
    try {
      const info = await stat(path);
      if (info.isFile()) found.push({ path, format: keyOfPath(relative(root, path))!.format, stat: info });
    } catch (error) {
      if (!missing(error)) throw error;
    }
  }
  if (found.length > 1) {
    throw new ValidationError(
      found.map((file) => ({ path: relative(root, file.path), message: `one of ${found.length} files holding ${type}/${name}` })),
      `${type}/${name} is stored twice`,
    );
  }
  return found[0];
}

/** Reads one file: its stats, and its record validated (or, with `validate` false, only parsed). */
export async function readItemFile(root: string, found: Located, key: ItemKey, validate: boolean): Promise<FileEntry> {
  const bytes = await readFile(found.path);
  const file = relative(root, found.path);
  const base = { stats: contentStats(bytes, found.stat.mtime, found.format), ino: found.stat.ino, mtimeMs: found.stat.mtimeMs };
  const parsed = parseRecordText(bytes.toString('utf8'), found.format, file);
  if (parsed.issues.length > 0) return { ...base, issues: parsed.issues };
  if (validate) return { ...base, ...readRecord(parsed.value, file, '', key) };
  const raw = isPlainObject(parsed.value) ? ({ ...parsed.value, ...key } as unknown as MetadataRecord) : undefined;
  return { ...base, record: raw, issues: raw ? [] : readRecord(parsed.value, file, '', key).issues };
}

async function entriesOf(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (missing(error)) return [];
    throw error;
  }
}

/** The type folders under the root. */
export async function typeFolders(root: string): Promise<string[]> {
  return (await entriesOf(root))
    .filter((entry) => entry.isDirectory() && keyOfPath(join(entry.name, 'x.json')))
    .map((entry) => entry.name)
    .sort();
}

/** The item files of one type folder (hidden temp files and other files left out). */
export async function itemFiles(root: string, type: string): Promise<string[]> {
  return (await entriesOf(join(root, type)))
    .filter((entry) => entry.isFile() && keyOfPath(join(type, entry.name)))
    .map((entry) => entry.name)
    .sort();
}
