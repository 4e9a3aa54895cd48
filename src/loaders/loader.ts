import { ValidationError } from '../errors.js';
import { refuseInapplicable } from '../input/parse-input.js';
import type { WriteContext } from '../store/metadata-store.js';
import type { ItemStats } from './content-stats.js';
import type {
  MetadataLoaderCapabilities,
  MetadataLoaderContract,
  MetadataWatchEvent,
  StrictMetadataLoadOptionsInput,
  StrictMetadataRecord,
  StrictMetadataRecordInput,
  StrictMetadataSaveOptionsInput,
} from '../protocol/index.js';

/** A record as loaders hand it out: the protocol's record, with its version where the loader keeps one. */
export type LoaderRecord = StrictMetadataRecord;

/** What a loader's load answers (the protocol's MetadataLoadResult with a typed `data`). */
export interface LoaderLoadResult {
  data: LoaderRecord | null;
  fromCache: boolean;
  notModified: boolean;
  etag?: string;
  stats?: ItemStats;
  loadTime: number;
}

/**
 * Optimistic concurrency that works on every loader: the etag the caller last saw (the write fails with
 * CONFLICT when the item moved on), or null for "the item must not exist yet".
 */
export interface ExpectedEtag {
  /** The item must have this etag; null: it must not exist. */
  expectedEtag?: string | null;
}

/** The protocol's save options and metaledger's (StrictMetadataSaveOptionsSchema), with an etag in place of a version. */
export type LoaderSaveOptions = Omit<StrictMetadataSaveOptionsInput, 'expectedVersion'> & WriteContext & ExpectedEtag;
/** Options of a loader's delete: who and why, and the etag the item must have. */
export type LoaderDeleteOptions = WriteContext & ExpectedEtag;

/** The outcome of a loader's save: the new etag and what happened. */
export interface LoaderSaveResult {
  success: boolean;
  etag: string;
  created: boolean;
  skipped: boolean;
  version?: number;
  path?: string;
  size?: number;
  /** Where the previous content was kept (save option `backup`). */
  backupPath?: string;
  saveTime: number;
}

/** What a loader's watch reports. */
export interface WatchOptions {
  /** Only these metadata types. */
  types?: string[];
  /** Told about failures of the watch itself (a handler's own errors are its business). */
  onError?: (error: unknown) => void;
}

/** A running loader watch. */
export interface WatchHandle {
  /** Settles once the watch is live: every change after this point is reported. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The protocol's MetadataWatchEvent as loaders report it: the item names (added, changed, deleted), a
 * `path` (the file, or `<type>/<name>` in a database), and always the item's type, name and time.
 */
export interface LoaderWatchEvent extends MetadataWatchEvent {
  type: 'added' | 'changed' | 'deleted';
  metadataType: string;
  name: string;
  timestamp: string;
  /** database: only — the change-feed cursor: pass it back to resume the watch after this event. */
  position?: string;
}

/** Receives a loader's change events, one at a time. */
export type WatchHandler = (event: LoaderWatchEvent) => void | Promise<void>;

/** A source of metadata records: `database:` (this store), `file:` (a directory), `http:` (a remote metaledger). */
export interface MetadataLoader {
  /** The loader's protocol contract: name, protocol, capabilities, datasource settings. */
  readonly contract: MetadataLoaderContract;
  /** One item by type and name (`data` null when absent), with its etag. */
  load(type: string, name: string, options?: StrictMetadataLoadOptionsInput): Promise<LoaderLoadResult>;
  /** The items of a type, filtered as the load options say. */
  list(type: string, options?: StrictMetadataLoadOptionsInput): Promise<LoaderRecord[]>;
  /** Creates or replaces an item; `expectedEtag` makes it conditional (null: must not exist). */
  save(
    type: string,
    record: Omit<StrictMetadataRecordInput, 'type'> & { type?: string },
    options?: LoaderSaveOptions,
  ): Promise<LoaderSaveResult>;
  /** Removes an item; `expectedEtag` makes it conditional. */
  delete(type: string, name: string, options?: LoaderDeleteOptions): Promise<{ success: boolean; etag?: string }>;
  /** Calls `handler` for every change the loader sees (for loaders with the watch capability). */
  watch(handler: WatchHandler, options?: WatchOptions): WatchHandle;
  /** Releases what the loader holds (watchers, connections it opened). */
  close(): Promise<void>;
}

/**
 * `loader` and `datasource` options pick loaders in a service; a loader given one that names another
 * loader or datasource refuses it rather than answer for the wrong one.
 */
export function refuseOtherLoader(contract: MetadataLoaderContract, options: { loader?: string; datasource?: string }): void {
  const datasource = contract.datasourceConfig?.datasource;
  refuseInapplicable('load or save options', [
    [
      'loader',
      options.loader !== undefined && options.loader !== contract.name,
      `this is loader '${contract.name}', not '${options.loader}'`,
    ],
    [
      'datasource',
      options.datasource !== undefined && options.datasource !== datasource,
      datasource === undefined
        ? `loader '${contract.name}' (${contract.protocol}) reads no datasource`
        : `loader '${contract.name}' reads datasource '${datasource}', not '${options.datasource}'`,
    ],
  ]);
}

/** A call the loader's contract does not allow (e.g. writing to a read-only directory). */
export function requireCapability(contract: MetadataLoaderContract, capability: keyof MetadataLoaderCapabilities): void {
  if (!contract.capabilities[capability]) {
    throw new ValidationError(
      [{ path: `capabilities.${capability}`, message: 'is false' }],
      `loader '${contract.name}' (${contract.protocol}) cannot ${capability}`,
    );
  }
}
