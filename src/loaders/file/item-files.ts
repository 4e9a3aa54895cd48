import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../../errors.js';
import type { StrictMetadataRecord as MetadataRecord } from '../../protocol/index.js';
import { isPlainObject } from '../../protocol/json.js';
import { contentStats, type ItemStats } from '../content-stats.js';
import { parseRecordText, readRecord, type FileIssue, type ItemKey, type RecordFormat } from '../record-file.js';
import { candidatePaths, keyOfPath } from './item-path.js';
import { OutsideRootError, type LoaderRoot } from './loader-root.js';

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

/**
 * The item's file; the same item in two files (a.json and a.yaml) is an error, not a guess. A type
 * folder or file that leads out of the root is OutsideRootError, before anything there is looked at.
 */
export async function locateItem(root: LoaderRoot, type: string, name: string): Promise<Located | undefined> {
  try {
    await root.resolve(join(root.path, type));
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
  const found: Located[] = [];
  for (const path of candidatePaths(root.path, type, name)) {
    try {
      await root.resolve(path);
      const info = await stat(path);
      if (info.isFile()) found.push({ path, format: keyOfPath(root.relative(path))!.format, stat: info });
    } catch (error) {
      if (!missing(error)) throw error;
    }
  }
  if (found.length > 1) {
    throw new ValidationError(
      found.map((file) => ({ path: root.relative(file.path), message: `one of ${found.length} files holding ${type}/${name}` })),
      `${type}/${name} is stored twice`,
    );
  }
  return found[0];
}

/** Reads one file: its stats, and its record validated (or, with `validate` false, only parsed). */
export async function readItemFile(root: LoaderRoot, found: Located, key: ItemKey, validate: boolean): Promise<FileEntry> {
  const { bytes, stat: info } = await root.read(found.path);
  const file = root.relative(found.path);
  const base = { stats: contentStats(bytes, info.mtime, found.format), ino: info.ino, mtimeMs: info.mtimeMs };
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

/** Whether an entry of a listing is a directory (or file) once links inside the root are followed; links out are not. */
async function kindOf(root: LoaderRoot, path: string): Promise<'directory' | 'file' | 'outside' | undefined> {
  try {
    await root.resolve(path);
    const info = await stat(path);
    return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : undefined;
  } catch (error) {
    if (error instanceof OutsideRootError) return 'outside';
    if (missing(error)) return undefined;
    throw error;
  }
}

/** The type folders under the root (a link that leaves the root is none). */
export async function typeFolders(root: LoaderRoot): Promise<string[]> {
  const folders: string[] = [];
  for (const entry of await entriesOf(root.path)) {
    if (!keyOfPath(join(entry.name, 'x.json'))) continue;
    if (entry.isDirectory() || (entry.isSymbolicLink() && (await kindOf(root, join(root.path, entry.name))) === 'directory'))
      folders.push(entry.name);
  }
  return folders.sort();
}

/**
 * The item files of one type folder (hidden temp files and other files left out), each with whether it
 * leads out of the root. A type folder that does is OutsideRootError.
 */
export async function itemFiles(root: LoaderRoot, type: string): Promise<{ name: string; outside: boolean }[]> {
  const folder = join(root.path, type);
  try {
    await root.resolve(folder);
  } catch (error) {
    if (missing(error)) return [];
    throw error;
  }
  const files: { name: string; outside: boolean }[] = [];
  for (const entry of await entriesOf(folder)) {
    if (!keyOfPath(join(type, entry.name))) continue;
    const kind = entry.isFile() ? 'file' : entry.isSymbolicLink() ? await kindOf(root, join(folder, entry.name)) : undefined;
    if (kind === 'file' || kind === 'outside') files.push({ name: entry.name, outside: kind === 'outside' });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
