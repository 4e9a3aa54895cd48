import { ValidationError } from '../errors.js';
import type { WriteContext } from '../store/metadata-store.js';
import type {
  MetadataLoadOptionsInput,
  MetadataLoaderCapabilities,
  MetadataLoaderContract,
  MetadataRecord,
  MetadataRecordInput,
  MetadataSaveOptionsInput,
  MetadataStats,
  MetadataWatchEvent,
} from '../protocol/index.js';

/** What a loader's load answers (the protocol's MetadataLoadResult with a typed `data`). */
export interface LoaderLoadResult {
  data: MetadataRecord | null;
  fromCache: boolean;
  notModified: boolean;
  etag?: string;
  stats?: MetadataStats;
  loadTime: number;
}

/**
 * Optimistic concurrency that works on every loader: the etag the caller last saw (the write fails with
 * CONFLICT when the item moved on), or null for "the item must not exist yet".
 */
export interface ExpectedEtag {
  expectedEtag?: string | null;
}

export type LoaderSaveOptions = Omit<MetadataSaveOptionsInput, 'expectedVersion'> & WriteContext & ExpectedEtag;
export type LoaderDeleteOptions = WriteContext & ExpectedEtag;

export interface LoaderSaveResult {
  success: boolean;
  etag: string;
  created: boolean;
  skipped: boolean;
  version?: number;
  path?: string;
  size?: number;
  saveTime: number;
}

export interface WatchOptions {
  /** Only these metadata types. */
  types?: string[];
  /** Told about failures of the watch itself (a handler's own errors are its business). */
  onError?: (error: unknown) => void;
}

export interface WatchHandle {
  /** Settles once the watch is live: every change after this point is reported. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export type WatchHandler = (event: MetadataWatchEvent) => void | Promise<void>;

/** A source of metadata records: `database:` (this store), `file:` (a directory), `http:` (a remote metaledger). */
export interface MetadataLoader {
  readonly contract: MetadataLoaderContract;
  load(type: string, name: string, options?: MetadataLoadOptionsInput): Promise<LoaderLoadResult>;
  list(type: string, options?: MetadataLoadOptionsInput): Promise<MetadataRecord[]>;
  save(type: string, record: Omit<MetadataRecordInput, 'type'> & { type?: string }, options?: LoaderSaveOptions): Promise<LoaderSaveResult>;
  delete(type: string, name: string, options?: LoaderDeleteOptions): Promise<{ success: boolean; etag?: string }>;
  watch(handler: WatchHandler, options?: WatchOptions): WatchHandle;
  close(): Promise<void>;
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
