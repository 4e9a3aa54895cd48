import { stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import {
  StrictMetadataLoaderContractSchema,
  StrictMetadataLoadOptionsSchema,
  StrictMetadataSaveOptionsSchema,
  type MetadataLoaderCapabilities,
  type MetadataLoaderContract,
  type StrictMetadataLoadOptions,
  type StrictMetadataLoadOptionsInput,
  type StrictMetadataRecord as MetadataRecord,
  type StrictMetadataSaveOptions,
} from '../../protocol/index.js';
import { parseInput, parseOptions, refuseInapplicable } from '../../input/parse-input.js';
import { checkExpectedEtag } from '../../input/free-text.js';
import { defaultInputLimits } from '../../input/input-limits.js';
import { checkItemKey, checkType } from '../../input/item-key.js';
import { guardPublicMethods } from '../../input/public-boundary.js';
import { loadOptionsInput } from '../../input/query-input.js';
import { parseRecordInput } from '../../input/record-input.js';
import { contentStats, type ItemStats } from '../content-stats.js';
import {
  refuseOtherLoader,
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
import { matchesPatterns } from './file-patterns.js';
import { checkSegment, fileFormat, itemPath, keyOfPath } from './item-path.js';
import { itemFiles, locateItem, readItemFile, typeFolders, type FileEntry, type Located } from './item-files.js';
import { FileVanishedError, LoaderRoot } from './loader-root.js';
import { watchDirectory } from './watch-directory.js';

/** Where a file loader reads and writes, and in which formats. */
export interface FileLoaderOptions {
  /** The directory holding `<type>/<name>.json|.yaml|.yml`. */
  root: string;
  /** The loader's name in a service (default `file`). */
  name?: string;
  /** Format of new files; an existing file keeps its own unless save options name one. Default json (or the first of `formats`). */
  format?: RecordFormat | 'yml';
  /** The file formats read and written: other files are not items. Default json, yaml and yml. */
  formats?: FileFormat[];
  /** false: every load reads and validates the file again (default: unchanged files are served from memory). */
  cache?: boolean;
  /** Turn read, write, list or watch off (all on by default). */
  capabilities?: Partial<MetadataLoaderCapabilities>;
  /** Shown in the loader's contract. */
  description?: string;
}

/** A format a file loader reads and writes: the extension of its files. */
export type FileFormat = 'json' | 'yaml' | 'yml';

/** One item file as a scan of the directory found it. */
export interface ScannedItem {
  record: MetadataRecord;
  /** The fields the file gives itself (the others are defaults). */
  provided: string[];
  /** Path relative to the loader's root. */
  file: string;
  stats: ItemStats;
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

/** Save options a directory of files cannot honour, each refused with the reason. */
function refuseInapplicableSaveOptions(options: StrictMetadataSaveOptions): void {
  refuseInapplicable('save options', [
    [
      'path',
      options.path !== undefined,
      'a file loader keeps each item at <type>/<name>.<ext> under its root; save to another root with another loader',
    ],
    [
      'atomic',
      options.atomic === false,
      'every write replaces the file atomically (a reader never sees half a file); it cannot be made non-atomic',
    ],
    ['validate', options.validate === false, 'records are validated before they are written; invalid records are refused'],
    [
      'indent',
      options.indent === 0 && options.format !== 'json',
      'YAML needs an indent of at least 1 (prettify: false lays it out in one line)',
    ],
    [
      'transaction',
      options.transaction?.enabled === true || options.transaction?.isolationLevel !== undefined,
      'files have no transactions: each save replaces one file atomically',
    ],
  ]);
}

/** Load options a directory of files cannot honour. */
function refuseInapplicableLoadOptions(options: StrictMetadataLoadOptions): void {
  refuseInapplicable('load options', [
    [
      'recursive',
      options.recursive === true,
      'items sit directly in their type folder (<type>/<name>.<ext>): there is nothing deeper to read',
    ],
  ]);
}

/** `file:` — a directory of metadata files, one per item, that can be read, written atomically, listed and watched. */
export class FileLoader implements MetadataLoader {
  readonly contract: MetadataLoaderContract;
  /** The directory holding the item files (absolute). */
  readonly root: string;
  /** Every file access goes through it: nothing outside the root is read, written or deleted. */
  private readonly place: LoaderRoot;
  private readonly format: FileFormat;
  private readonly formats: ReadonlySet<FileFormat>;
  private readonly cache: boolean;
  private readonly entries = new Map<string, FileEntry>();
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(options: FileLoaderOptions) {
    this.place = new LoaderRoot(options.root);
    this.root = this.place.path;
    const formats = options.formats ?? ['json', 'yaml', 'yml'];
    this.formats = new Set(formats);
    this.format = options.format ?? (this.formats.has('json') ? 'json' : formats[0]);
    this.cache = options.cache !== false;
    const unknown = formats.filter((format) => !['json', 'yaml', 'yml'].includes(format));
    if (formats.length === 0 || unknown.length > 0 || !this.formats.has(this.format))
      throw new ValidationError(
        [
          {
            path: 'formats',
            message: `a file loader reads json, yaml and yml files; give some of them, including the format of new files (${this.format})`,
          },
        ],
        'invalid file loader options',
      );
    this.contract = parseInput(
      StrictMetadataLoaderContractSchema,
      {
        name: options.name ?? 'files',
        protocol: 'file:',
        supportedFormats: formats,
        capabilities: { read: true, write: true, watch: true, list: true, ...options.capabilities },
        description: options.description,
      },
      'loader contract',
    );
  }

  private parseLoadOptions(options: StrictMetadataLoadOptionsInput): StrictMetadataLoadOptions {
    const parsed = parseOptions(StrictMetadataLoadOptionsSchema, loadOptionsInput(options, defaultInputLimits), 'load options');
    refuseInapplicableLoadOptions(parsed);
    refuseOtherLoader(this.contract, parsed);
    return parsed;
  }

  /** One item; `scope`, `namespace`, `filters` and `patterns` (globs on its file name) make it found only when it matches them. */
  async load(type: string, name: string, options: StrictMetadataLoadOptionsInput = {}): Promise<LoaderLoadResult> {
    requireCapability(this.contract, 'read');
    const started = performance.now();
    checkItemKey(type, name);
    const parsed = this.parseLoadOptions(options);
    checkSegment(type, 'type');
    checkSegment(name, 'name');
    const found = await this.locate(type, name);
    if (!found || !matchesPatterns(basename(found.path), parsed.patterns))
      return { data: null, fromCache: false, notModified: false, loadTime: performance.now() - started };
    const useCache = this.cache && parsed.cache !== false && parsed.useCache !== false && parsed.validate !== false;
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
        if (!this.reads(file)) continue;
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

  /** The items of one type matching the options; `patterns` are globs on the file names (`*.yaml`, `lead_*`). */
  async list(type: string, options: StrictMetadataLoadOptionsInput = {}): Promise<MetadataRecord[]> {
    requireCapability(this.contract, 'list');
    checkType(type);
    const parsed = this.parseLoadOptions(options);
    checkSegment(type, 'type');
    const { items, issues } = await this.scan([type]);
    if (issues.length > 0) throw new ValidationError(issues, `invalid metadata files in ${this.root}`);
    return shapeRecords(
      items.filter((item) => matchesPatterns(basename(item.file), parsed.patterns)).map((item) => item.record),
      parsed,
    );
  }

  async save(type: string, record: Parameters<MetadataLoader['save']>[1], options: LoaderSaveOptions = {}): Promise<LoaderSaveResult> {
    requireCapability(this.contract, 'write');
    const started = performance.now();
    const { expectedEtag, actor: _actor, reason: _reason, correlationId: _correlationId, source: _source, ...rest } = options;
    checkExpectedEtag(expectedEtag);
    const { input, parsed: next } = parseRecordInput(type, record, defaultInputLimits);
    const saveOptions = parseOptions(StrictMetadataSaveOptionsSchema, rest, 'save options');
    refuseInapplicableSaveOptions(saveOptions);
    refuseOtherLoader(this.contract, saveOptions);
    const requested = fileFormat((saveOptions.format as FileFormat | undefined) ?? this.format);
    if (!this.formats.has(requested.extension.slice(1) as FileFormat))
      throw new ValidationError(
        [{ path: 'format', message: `this loader reads and writes ${[...this.formats].join(', ')} files only` }],
        'invalid save options',
      );
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
      // an existing file keeps its format and place unless save options name another
      const kept = found && saveOptions.format === undefined;
      const format = kept ? found.format : requested.format;
      const keepsPlace = found && (kept || found.path.endsWith(requested.extension));
      const path = keepsPlace ? found.path : itemPath(this.root, type, next.name, requested.extension);
      const text = serializeRecord(document, format, {}, saveOptions);
      const stats = contentStats(text, new Date(), format);
      let backupPath: string | undefined;
      if (path !== found?.path || stats.hash !== current?.stats.hash) {
        if (found && saveOptions.backup) {
          backupPath = `${found.path}.bak`;
          await this.place.write(backupPath, (await this.place.read(found.path)).bytes.toString('utf8'));
        }
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
        ...(backupPath ? { backupPath } : {}),
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

  /** An item's file, when it is in a format this loader reads. */
  private async locate(type: string, name: string): Promise<Located | undefined> {
    const found = await locateItem(this.place, type, name);
    return found && this.reads(found.path) ? found : undefined;
  }

  private reads(file: string): boolean {
    return this.formats.has(extname(file).slice(1).toLowerCase() as FileFormat);
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
