import { MetaledgerError, ValidationError } from '../../errors.js';
import {
  describeIssues,
  MetadataRecordSchema,
  StrictMetadataLoaderContractSchema,
  StrictMetadataLoadOptionsSchema,
  StrictMetadataSaveOptionsSchema,
  type MetadataLoaderCapabilities,
  type MetadataLoaderContract,
  type StrictMetadataLoadOptions,
  type StrictMetadataLoadOptionsInput,
  type StrictMetadataRecord as MetadataRecord,
} from '../../protocol/index.js';
import { parseInput, parseOptions, refuseInapplicable } from '../../input/parse-input.js';
import { refuseFileLoadOptions } from '../../store/store-options.js';
import { checkExpectedEtag } from '../../input/free-text.js';
import { defaultInputLimits } from '../../input/input-limits.js';
import { checkItemKey, checkType } from '../../input/item-key.js';
import { guardPublicMethods } from '../../input/public-boundary.js';
import { loadOptionsInput } from '../../input/query-input.js';
import { parseRecordInput, recordInputIssues } from '../../input/record-input.js';
import {
  refuseOtherLoader,
  requireCapability,
  type LoaderDeleteOptions,
  type LoaderLoadResult,
  type LoaderSaveOptions,
  type LoaderSaveResult,
  type MetadataLoader,
  type WatchHandle,
} from '../loader.js';
import { matchesLoadOptions, shapeRecords } from '../shape-records.js';
import { fromProblem } from './error-body.js';

/** Where the remote metaledger listens and how to authenticate to it. */
export interface HttpLoaderOptions {
  /** Where `metaledger serve` (or createMetadataServer) listens, e.g. http://127.0.0.1:7070 (the loader adds /api/v1). */
  baseUrl: string;
  /** The loader's name in a service (default `http`). */
  name?: string;
  /** Writing is off unless allowed here (the server still decides what the caller may change). */
  capabilities?: Partial<Omit<MetadataLoaderCapabilities, 'watch'>>;
  /** Sent with every request, e.g. `{ authorization: 'Bearer <API key or token>' }`. */
  headers?: Record<string, string>;
}

interface Cached {
  record: MetadataRecord;
  etag: string;
}

/** `http:` — a remote metaledger: read and list (write when allowed), revalidating its cache with etags. */
export class HttpLoader implements MetadataLoader {
  readonly contract: MetadataLoaderContract;
  private readonly baseUrl: string;
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly options: HttpLoaderOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.contract = parseInput(
      StrictMetadataLoaderContractSchema,
      {
        name: options.name ?? 'http',
        protocol: 'http:',
        supportedFormats: ['json'],
        capabilities: { read: true, list: true, write: false, ...options.capabilities, watch: false },
      },
      'loader contract',
    );
  }

  async load(type: string, name: string, options: StrictMetadataLoadOptionsInput = {}): Promise<LoaderLoadResult> {
    requireCapability(this.contract, 'read');
    const started = performance.now();
    checkItemKey(type, name);
    const parsed = this.parseLoadOptions(options);
    const key = `${type}\u0000${name}`;
    const cached = parsed.cache !== false && parsed.useCache !== false ? this.cache.get(key) : undefined;
    const ifNoneMatch = parsed.ifNoneMatch ?? cached?.etag;
    const response = await this.request('GET', `${itemPath(type, name)}?raw=true`, {
      headers: ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {},
    });
    const loadTime = () => performance.now() - started;
    if (response.status === 404) {
      this.cache.delete(key);
      return { data: null, fromCache: false, notModified: false, loadTime: loadTime() };
    }
    if (response.status === 304) {
      if (parsed.ifNoneMatch !== undefined)
        return { data: null, fromCache: false, notModified: true, etag: parsed.ifNoneMatch, loadTime: loadTime() };
      return this.visible(cached!.record, cached!.etag, parsed, true, loadTime);
    }
    const body = await this.readBody(response, `GET ${type}/${name}`);
    const etag = response.headers.get('etag') ?? '';
    const record = this.remoteRecord(type, body, `GET ${type}/${name}`);
    this.cache.set(key, { record, etag });
    return this.visible(record, etag, parsed, false, loadTime);
  }

  async list(type: string, options: StrictMetadataLoadOptionsInput = {}): Promise<MetadataRecord[]> {
    requireCapability(this.contract, 'list');
    checkType(type);
    const parsed = this.parseLoadOptions(options);
    const query = new URLSearchParams();
    const pushed = { namespace: parsed.namespace, scope: parsed.scope, owner: parsed.filters?.owner };
    for (const [field, value] of Object.entries(pushed)) if (value !== undefined) query.set(field, value);
    const response = await this.request('GET', `${apiPrefix}/records/${encodeURIComponent(type)}?${query}`);
    const body = (await this.readBody(response, `GET ${type}`)) as { items?: unknown };
    if (!Array.isArray(body?.items))
      throw new ValidationError([{ path: 'items', message: 'is not a list' }], `invalid answer from ${this.baseUrl} GET ${type}`);
    const records = body.items.map((item) => this.remoteRecord(type, item, `GET ${type}`));
    return shapeRecords(records, parsed);
  }

  async save(type: string, record: Parameters<MetadataLoader['save']>[1], options: LoaderSaveOptions = {}): Promise<LoaderSaveResult> {
    requireCapability(this.contract, 'write');
    const { expectedEtag, actor: _actor, reason: _reason, correlationId: _correlationId, source: _source, ...rest } = options;
    checkExpectedEtag(expectedEtag);
    record = parseRecordInput(type, record, defaultInputLimits).input as typeof record;
    const { onConflict } = this.parseSaveOptions(rest);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...preconditions(expectedEtag) };
    const query = onConflict ? `?onConflict=${onConflict}` : '';
    const response = await this.request('PUT', `${itemPath(type, record.name)}${query}`, { headers, body: JSON.stringify(record) });
    this.cache.delete(`${type}\u0000${record.name}`);
    return (await this.readBody(response, `PUT ${type}/${record.name}`)) as LoaderSaveResult;
  }

  async delete(type: string, name: string, options: LoaderDeleteOptions = {}): Promise<{ success: boolean }> {
    requireCapability(this.contract, 'write');
    checkItemKey(type, name);
    checkExpectedEtag(options.expectedEtag);
    const response = await this.request('DELETE', itemPath(type, name), { headers: preconditions(options.expectedEtag) });
    this.cache.delete(`${type}\u0000${name}`);
    return (await this.readBody(response, `DELETE ${type}/${name}`)) as { success: boolean };
  }

  /** capabilities.watch is always false here: poll with load, whose etag revalidation is cheap. */
  watch(): WatchHandle {
    throw new ValidationError([{ path: 'capabilities.watch', message: 'is false' }], `loader '${this.contract.name}' (http:) cannot watch`);
  }

  async close(): Promise<void> {
    this.cache.clear();
  }

  private parseLoadOptions(options: StrictMetadataLoadOptionsInput): StrictMetadataLoadOptions {
    const parsed = parseOptions(StrictMetadataLoadOptionsSchema, loadOptionsInput(options, defaultInputLimits), 'load options');
    refuseFileLoadOptions(parsed);
    refuseOtherLoader(this.contract, parsed);
    return parsed;
  }

  /** A PUT carries the record and onConflict; the server decides everything else (who, how, where). */
  private parseSaveOptions(options: Omit<LoaderSaveOptions, 'expectedEtag'>) {
    const parsed = parseOptions(StrictMetadataSaveOptionsSchema, options, 'save options');
    refuseOtherLoader(this.contract, parsed);
    const notSent = (what: string) => `not sent over HTTP: the server ${what}`;
    refuseInapplicable('save options', [
      ['create', parsed.create === false, notSent('creates an item that does not exist (use expectedEtag to require one)')],
      ['overwrite', parsed.overwrite === false, notSent('overwrites per onConflict')],
      ['format', parsed.format !== undefined, notSent('stores items in its own format')],
      ['path', parsed.path !== undefined, notSent('finds items by type and name')],
      ['prettify', parsed.prettify !== undefined, notSent('lays out its own files')],
      ['indent', parsed.indent !== undefined, notSent('lays out its own files')],
      ['sortKeys', parsed.sortKeys !== undefined, notSent('lays out its own files')],
      ['backup', parsed.backup !== undefined, notSent('keeps its own history')],
      ['atomic', parsed.atomic === false, notSent('writes each item atomically')],
      ['validate', parsed.validate === false, notSent('validates every record')],
      ['transaction', parsed.transaction !== undefined, notSent('runs its own transactions')],
      ['expectedVersion', parsed.expectedVersion !== undefined, 'a remote item is matched by expectedEtag'],
    ]);
    return parsed;
  }

  private visible(
    record: MetadataRecord,
    etag: string,
    options: StrictMetadataLoadOptions,
    fromCache: boolean,
    loadTime: () => number,
  ): LoaderLoadResult {
    const shown = matchesLoadOptions(record, options);
    return {
      data: shown ? structuredClone(record) : null,
      fromCache,
      notModified: false,
      ...(shown ? { etag } : {}),
      loadTime: loadTime(),
    };
  }

  /** A record a remote server sent: untrusted input like any other, held to the same rules. */
  private remoteRecord(type: string, body: unknown, what: string): MetadataRecord {
    const { record, issues } = recordInputIssues(type, body, defaultInputLimits);
    const parsed = record ? MetadataRecordSchema.safeParse(record) : undefined;
    if (!parsed?.success) {
      const found = parsed ? describeIssues(parsed.error) : issues;
      throw new ValidationError(found, `invalid record from ${this.baseUrl} ${what}`);
    }
    return { ...parsed.data, ...(record as { version?: number }) } as MetadataRecord;
  }

  private async request(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        body: init.body,
        headers: { accept: 'application/json', ...this.options.headers, ...init.headers },
      });
    } catch (error) {
      throw new MetaledgerError('DATASOURCE_UNAVAILABLE', `cannot reach ${this.baseUrl}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async readBody(response: Response, what: string): Promise<unknown> {
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) throw fromProblem(response.status, body, `${this.baseUrl} ${what}`);
    return body;
  }
}

/** The HTTP API's versioned prefix (see docs/http.md). */
const apiPrefix = '/api/v1';

const itemPath = (type: string, name: string) => `${apiPrefix}/records/${encodeURIComponent(type)}/${encodeURIComponent(name)}`;

/** The etag a write expects, as HTTP preconditions: If-Match, or If-None-Match: * for "must not exist". */
function preconditions(expectedEtag: string | null | undefined): Record<string, string> {
  if (expectedEtag === undefined) return {};
  return expectedEtag === null ? { 'if-none-match': '*' } : { 'if-match': expectedEtag };
}

guardPublicMethods(HttpLoader, ['load', 'list', 'save', 'delete', 'watch', 'close']);
