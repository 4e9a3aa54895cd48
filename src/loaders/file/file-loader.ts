import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import {
  MetadataLoadOptionsSchema,
  MetadataLoaderContractSchema,
  MetadataSaveOptionsSchema,
  type MetadataLoadOptionsInput,
  type MetadataLoaderCapabilities,
  type MetadataLoaderContract,
  type MetadataRecord,
  type MetadataStats,
} from '../../protocol/index.js';
import { parseInput } from '../../store/parse-input.js';
import { checkExpectedEtag } from '../../input/free-text.js';
import { defaultInputLimits } from '../../input/input-limits.js';
import { checkItemKey, checkType } from '../../input/item-key.js';
import { guardPublicMethods } from '../../input/public-boundary.js';
import { loadOptionsInput } from '../../input/query-input.js';
import { parseRecordInput } from '../../input/record-input.js';
import { contentStats } from '../content-stats.js';
import {
  requireCapability,
  type LoaderDeleteOptions,
  type LoaderLoadResult,
  type LoaderSaveOptions,
  type LoaderSaveResult,
  type MetadataLoader,
  type WatchHandler,
  type WatchOptions,
} from '../loader.js';
import { fileIssue, serializeRecord, type FileIssue, type ItemKey, type RecordFormat } from '../record-file.js';
import { matchesLoadOptions, shapeRecords } from '../shape-records.js';
import { checkSegment, extensionOf, itemPath, keyOfPath } from './item-path.js';
import { itemFiles, locateItem, readItemFile, typeFolders, type FileEntry, type Located } from './item-files.js';
import { FileVanishedError, LoaderRoot } from './loader-root.js';
import { watchDirectory } from './watch-directory.js';

export interface FileLoaderOptions {
  /** The directory holding `<type>/<name>.json|.yaml|.yml`. */
  root: string;
  name?: string;
  /** Format of new files; an existing file keeps its own unless save options name one. Default json. */
  format?: RecordFormat;
  capabilities?: Partial<MetadataLoaderCapabilities>;
  description?: string;
}

export interface ScannedItem {
  record: MetadataRecord;
  /** The fields the file gives itself (the others are defaults). */
  provided: string[];
  /** Path relative to the loader's root. */
  file: string;
  stats: MetadataStats;
}

function checkEtag(key: string, current: string | undefined, expected: string | null | undefined): void {
  if (expected === undefined || expected === current) return;
  if (expected === null) {
    if (current !== undefined) throw new ConflictError(`${key} already exists (etag ${current})`);
    return;
  }
  throw new ConflictError(
    current ? `${key} changed: expected etag ${expected}, found ${current}` : `${key} does not exist (expected etag ${expected})`,
  );
}

function formatOf(format: string | undefined): RecordFormat | undefined {
  if (format === undefined || format === 'json' || format === 'yaml') return format;
  throw new ValidationError([{ path: 'format', message: `a file loader writes json or yaml, not ${format}` }], 'invalid save options');
}

/** `file:` — a directory of metadata files, one per item, that can be read, written atomically, listed and watched. */
export class FileLoader implements MetadataLoader {
  readonly contract: MetadataLoaderContract;
  readonly root: string;
  /** Every file access goes through it: nothing outside the root is read, written or deleted. */
  private readonly place: LoaderRoot;
  private readonly format: RecordFormat;
  private readonly entries = new Map<string, FileEntry>();
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(options: FileLoaderOptions) {
    this.place = new LoaderRoot(options.root);
    this.root = this.place.path;
    this.format = options.format ?? 'json';
    this.contract = parseInput(
      MetadataLoaderContractSchema,
      {
        name: options.name ?? 'files',
        protocol: 'file:',
        capabilities: { read: true, write: true, watch: true, list: true, ...options.capabilities },
        description: options.description,
      },
      'loader contract',
    );
  }

  async load(type: string, name: string, options: MetadataLoadOptionsInput = {}): Promise<LoaderLoadResult> {
    requireCapability(this.contract, 'read');
    const started = performance.now();
    checkItemKey(type, name);
    const parsed = parseInput(MetadataLoadOptionsSchema, loadOptionsInput(options, defaultInputLimits), 'load options');
    checkSegment(type, 'type');
    checkSegment(name, 'name');
    const found = await this.locate(type, name);
    if (!found) return { data: null, fromCache: false, notModified: false, loadTime: performance.now() - started };
    const useCache = parsed.cache !== false && parsed.useCache !== false && parsed.validate !== false;
    const cached = useCache ? this.cachedEntry(found) : undefined;
    let entry: FileEntry;
    try {
      entry = cached ?? (await this.read(found, { type, name }, parsed.validate !== false));
    } catch (error) {
      // deleted between finding and reading it: not there
      if (!(error instanceof FileVanishedError)) throw error;
      return { data: null, fromCache: false, notModified: false, loadTime: performance.now() - started };
    }
    if (!entry.record) throw new ValidationError(entry.issues, `invalid metadata file ${this.relative(found.path)}`);
    const visible = matchesLoadOptions(entry.record, parsed);
    const notModified = visible && parsed.ifNoneMatch === entry.stats.etag;
    return {
      data: visible && !notModified ? structuredClone(entry.record) : null,
      fromCache: cached !== undefined,
      notModified,
      ...(visible ? { etag: entry.stats.etag, stats: entry.stats } : {}),
      loadTime: performance.now() - started,
    };
  }

  /** The type folders under the root. */
  types(): Promise<string[]> {
    return typeFolders(this.place);
  }

  /** Every item file of some types (default all), read and validated; problems come back, each with its file. */
  async scan(types?: string[], onFile: (file: string) => void = () => {}): Promise<{ items: ScannedItem[]; issues: FileIssue[] }> {
    const items: ScannedItem[] = [];
    const issues: FileIssue[] = [];
    for (const type of types ?? (await this.types())) {
      const byName = new Map<string, string>();
      for (const { name: file, outside } of await itemFiles(this.place, type)) {
        const key = keyOfPath(join(type, file))!;
        const relativePath = join(type, file);
        if (outside) {
          issues.push(fileIssue(relativePath, '(root)', "leads outside the loader's root (a symbolic link); it is not read"));
          onFile(relativePath);
          continue;
        }
        const earlier = byName.get(key.name);
        if (earlier)
          issues.push({
            file: relativePath,
            field: '(root)',
            path: `${relativePath}:(root)`,
            message: `${type}/${key.name} is also stored in ${earlier}`,
          });
        byName.set(key.name, relativePath);
        const path = join(this.root, relativePath);
        const entry = await this.read({ path, format: key.format, stat: await stat(path) }, key, true).catch((error: unknown) => {
          // gone since the listing
          if (error instanceof FileVanishedError || (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw error;
        });
        if (!entry) continue;
        if (entry.record)
          items.push({ record: structuredClone(entry.record), provided: entry.provided ?? [], file: relativePath, stats: entry.stats });
        issues.push(...entry.issues);
        onFile(relativePath);
      }
    }
    return { items, issues };
  }

  async list(type: string, options: MetadataLoadOptionsInput = {}): Promise<MetadataRecord[]> {
    requireCapability(this.contract, 'list');
    checkType(type);
    const parsed = parseInput(MetadataLoadOptionsSchema, loadOptionsInput(options, defaultInputLimits), 'load options');
    checkSegment(type, 'type');
    const { items, issues } = await this.scan([type]);
    if (issues.length > 0) throw new ValidationError(issues, `invalid metadata files in ${this.root}`);
    return shapeRecords(
      items.map((item) => item.record),
      parsed,
    );
  }

  async save(type: string, record: Parameters<MetadataLoader['save']>[1], options: LoaderSaveOptions = {}): Promise<LoaderSaveResult> {
    requireCapability(this.contract, 'write');
    const started = performance.now();
    const { expectedEtag, actor: _actor, reason: _reason, correlationId: _correlationId, source: _source, ...rest } = options;
    checkExpectedEtag(expectedEtag);
    const { input, parsed: next } = parseRecordInput(type, record, defaultInputLimits);
    const saveOptions = parseInput(MetadataSaveOptionsSchema, rest, 'save options');
    const requestedFormat = formatOf(saveOptions.format);
    checkSegment(type, 'type');
    checkSegment(next.name, 'name');
    const key = `${type}/${next.name}`;
    return this.exclusive(key, async () => {
      const found = await this.locate(type, next.name);
      const current = found ? await this.read(found, { type, name: next.name }, true) : undefined;
      checkEtag(key, current?.stats.etag, expectedEtag);
      if (current) {
        if (saveOptions.onConflict === 'skip')
          return {
            success: true,
            etag: current.stats.etag,
            created: false,
            skipped: true,
            path: found!.path,
            saveTime: performance.now() - started,
          };
        if (saveOptions.onConflict === 'error' || !saveOptions.overwrite)
          throw new ConflictError(`${key} already exists in ${this.relative(found!.path)}`);
      } else if (!saveOptions.create) {
        throw new NotFoundError(`${key} does not exist and save options say create: false`);
      }
      let document: MetadataRecord = next;
      if (current && saveOptions.onConflict === 'update') {
        if (!current.record)
          throw new ValidationError(
            current.issues,
            `cannot update the invalid file ${this.relative(found!.path)}; save with onConflict: 'replace'`,
          );
        // as in the store: envelope fields not given keep their current value
        const given = Object.fromEntries(Object.entries(next).filter(([field]) => field in input || field === 'metadata'));
        document = { ...current.record, ...given };
      }
      const format = requestedFormat ?? found?.format ?? this.format;
      const path = found && found.format === format ? found.path : itemPath(this.root, type, next.name, extensionOf(format));
      const text = serializeRecord(document, format);
      const stats = contentStats(text, new Date(), format);
      if (path !== found?.path || stats.hash !== current?.stats.hash) {
        await this.place.write(path, text);
        if (found && found.path !== path) await this.place.remove(found.path);
      }
      return {
        success: true,
        etag: stats.etag,
        created: !found,
        skipped: false,
        path,
        size: stats.size,
        saveTime: performance.now() - started,
      };
    });
  }

  async delete(type: string, name: string, options: LoaderDeleteOptions = {}): Promise<{ success: boolean }> {
    requireCapability(this.contract, 'write');
    checkItemKey(type, name);
    checkExpectedEtag(options.expectedEtag);
    checkSegment(type, 'type');
    checkSegment(name, 'name');
    const key = `${type}/${name}`;
    return this.exclusive(key, async () => {
      const found = await this.locate(type, name);
      if (!found) throw new NotFoundError(`${key} does not exist in ${this.root}`);
      if (options.expectedEtag !== undefined)
        checkEtag(key, (await this.read(found, { type, name }, false)).stats.etag, options.expectedEtag);
      await this.place.remove(found.path);
      this.entries.delete(found.path);
      return { success: true };
    });
  }

  watch(handler: WatchHandler, options: WatchOptions = {}) {
    requireCapability(this.contract, 'watch');
    return watchDirectory(this, handler, options);
  }

  async close(): Promise<void> {}

  private relative(path: string): string {
    return this.place.relative(path);
  }

  private locate(type: string, name: string): Promise<Located | undefined> {
    return locateItem(this.place, type, name);
  }

  private cachedEntry(found: Located): FileEntry | undefined {
    const entry = this.entries.get(found.path);
    return entry?.record && entry.ino === found.stat.ino && entry.mtimeMs === found.stat.mtimeMs && entry.stats.size === found.stat.size
      ? entry
      : undefined;
  }

  /** Reads one file; validated records are remembered for as long as the file stays the same. */
  private async read(found: Located, key: ItemKey, validate: boolean): Promise<FileEntry> {
    const entry = await readItemFile(this.place, found, key, validate);
    if (validate && entry.record) this.entries.set(found.path, entry);
    return entry;
  }

  /** Writes to one item run one after another in this process, so an etag check and its write stay together. */
  private exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.writing.get(key) ?? Promise.resolve()).then(work);
    const settled = result.catch(() => {});
    this.writing.set(key, settled);
    void settled.then(() => this.writing.get(key) === settled && this.writing.delete(key));
    return result;
  }
}

guardPublicMethods(FileLoader, ['load', 'types', 'scan', 'list', 'save', 'delete', 'watch', 'close']);
