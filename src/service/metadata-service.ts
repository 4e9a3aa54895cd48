import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { LoaderSaveOptions, LoaderSaveResult, MetadataLoader } from '../loaders/loader.js';
import { shapeRecords } from '../loaders/shape-records.js';
import {
  StrictMetadataLoadOptionsSchema,
  type StrictMetadataLoadOptionsInput,
  type MetadataScope,
  type StrictMetadataRecord as MetadataRecord,
  type StrictMetadataRecordInput as MetadataRecordInput,
} from '../protocol/index.js';
import { checkExpectedEtag, checkWriteContext } from '../input/free-text.js';
import { resolveInputLimits, type InputLimits } from '../input/input-limits.js';
import { checkItemKey, checkType, identityIssues } from '../input/item-key.js';
import { guardPublicMethods } from '../input/public-boundary.js';
import { loadOptionsInput } from '../input/query-input.js';
import { parseRecordInput } from '../input/record-input.js';
import { parseOptions, refuseInapplicable } from '../input/parse-input.js';
import { refusalReason, type AccessFlags, type Operation, type ProtectedItem } from './access-policy.js';
import { enforceAccess } from './enforce-access.js';
import { anonymous, checkPrincipal, isAdmin, type Principal } from './principal.js';
import type { RecordedRefusal, RefusalLog, RefusalQuery } from './refusal-log.js';
import { describeLayer, effectiveRecord, layersEtag, resolveLayers, type FoundItem, type OverlayLayer } from './resolve-overlays.js';

/** A loader and the scopes it stores: a new item goes to the first loader listing its scope. */
export interface LoaderRoute {
  loader: MetadataLoader;
  scopes: MetadataScope[];
}

/** The loader chain of a service, its refusal log, default principal and limits. */
export interface MetadataServiceOptions {
  /** The loader chain, searched in order on reads (the first loader holding a name wins). */
  routes: LoaderRoute[];
  /** Where refused calls are recorded (`databaseRefusalLog(store.db)` keeps them in the store). */
  refusals: RefusalLog;
  /** The principal of calls that name none; default anonymous (reads shared items, changes nothing). */
  principal?: Principal;
  /** Recorded with refusals and changes: api, http, cli. */
  source?: string;
  /** How large a registered record may be (see createMetadataStore's `limits`). */
  limits?: Partial<InputLimits>;
}

/** Who calls the service, and what to record with the call. */
export interface CallOptions {
  /** Who calls; default the service's principal (anonymous unless configured). */
  principal?: Principal;
  /** Ties the call to a request elsewhere; recorded with changes and refusals. */
  correlationId?: string;
  /** Why, recorded with the change. */
  reason?: string;
}

/** Options of `service.get()`: the load options, who calls, whose overlays, and whether to explain the layers. */
export type GetOptions = StrictMetadataLoadOptionsInput &
  CallOptions & {
    /** Whose user overlays to apply; default the principal. */
    owner?: string;
    /** Add `layers`: where each part of the effective item came from. */
    explain?: boolean;
  };

/** Options of `service.list()`: the load options and who calls. */
export type ListOptions = StrictMetadataLoadOptionsInput & CallOptions;
/** Options of `service.register()`: save options, who calls, and allowSystem. */
export type RegisterOptions = Omit<LoaderSaveOptions, 'actor' | 'source'> & CallOptions & AccessFlags;
/** Options of `service.unregister()`: who calls, the etag expected, which loader. */
export type UnregisterOptions = CallOptions & AccessFlags & { expectedEtag?: string; loader?: string };

/** What get returns: the effective record, its etag, and (with explain) its layers. */
export type ServiceRecord = MetadataRecord & { etag: string; layers?: OverlayLayer[] };

const liveStates = new Set(['active', 'deprecated']);

/**
 * IMetadataService: register / get / list / unregister over a chain of loaders, with overlays resolved
 * by `extends` + `strategy` and every call checked against the scope access rules.
 */
export class MetadataService {
  private readonly principal: Principal;
  private readonly source: string;
  private readonly limits: InputLimits;

  constructor(private readonly options: MetadataServiceOptions) {
    if (options.routes.length === 0)
      throw new ValidationError([{ path: 'routes', message: 'give at least one loader' }], 'invalid service options');
    this.principal = options.principal === undefined ? anonymous : checkPrincipal(options.principal);
    this.source = options.source ?? 'api';
    this.limits = resolveInputLimits(options.limits);
  }

  /** The service's loaders, in route order. */
  get loaders(): MetadataLoader[] {
    return this.options.routes.map((route) => route.loader);
  }

  /** The effective item (overlays applied) if the principal may read it; null when absent or hidden. */
  async get(type: string, name: string, options: GetOptions = {}): Promise<ServiceRecord | null> {
    checkItemKey(type, name);
    const { principal, rest } = this.callOf(options);
    const { owner, explain, ...given } = rest as Omit<GetOptions, keyof CallOptions>;
    refuseInapplicable('get options', [
      [
        'ifNoneMatch',
        given.ifNoneMatch !== undefined,
        'get answers the effective record (overlays applied) with its etag: compare that etag with yours (the HTTP API answers 304 so)',
      ],
    ]);
    const ownerIssues = identityIssues({ owner });
    if (ownerIssues.length > 0) throw new ValidationError(ownerIssues, 'invalid get options');
    const loadOptions = loadOptionsInput<StrictMetadataLoadOptionsInput>(given, this.limits);
    const { correlationId } = options;
    const loaders = this.pick(loadOptions);
    const found = await this.find(loaders, type, name, loadOptions);
    if (!found) return null;
    await this.authorize(principal, 'read', found.record, {}, correlationId);
    if (loadOptions.raw) return { ...found.record, etag: found.etag, ...(explain ? { layers: [describeLayer(found)] } : {}) };
    const overlayOwner = owner ?? principal.id;
    if (overlayOwner !== principal.id)
      await this.authorize(principal, 'read', { type, name, scope: 'user', owner: overlayOwner }, {}, correlationId);
    // shared items read through the loaders' caches; scope and namespace filters pick the requested item only
    const shared = { cache: loadOptions.cache, useCache: loadOptions.useCache, validate: loadOptions.validate };
    const layers = await resolveLayers(
      found,
      {
        find: (parentName) => this.find(loaders, type, parentName, shared),
        overlaysOf: (names, scope, overlayOwnerId) => this.overlaysOf(loaders, type, names, scope, overlayOwnerId, shared),
      },
      overlayOwner,
    );
    for (const layer of layers) await this.authorize(principal, 'read', layer.record, {}, correlationId);
    return {
      ...effectiveRecord(found.record, layers),
      etag: layersEtag(layers),
      ...(explain ? { layers: layers.map(describeLayer) } : {}),
    };
  }

  /** The items of a type the principal may read, overlays applied. */
  async list(type: string, options: ListOptions = {}): Promise<MetadataRecord[]> {
    checkType(type);
    const { principal, rest } = this.callOf(options);
    const loadOptions = loadOptionsInput<StrictMetadataLoadOptionsInput>(rest, this.limits);
    const { correlationId } = options;
    const parsed = parseOptions(StrictMetadataLoadOptionsSchema, loadOptions, 'load options');
    const owner = parsed.filters?.owner;
    if (owner !== undefined && owner !== principal.id && !isAdmin(principal)) {
      await this.authorize(principal, 'read', { type, name: '*', scope: 'user', owner }, {}, correlationId);
    }
    const byName = new Map<string, MetadataRecord>();
    for (const loader of this.pick(loadOptions)) {
      if (!loader.contract.capabilities.list) continue;
      for (const record of await loader.list(type, { ...loadOptions, limit: undefined }))
        if (!byName.has(record.name)) byName.set(record.name, record);
    }
    const visible = [...byName.values()].filter((record) => refusalReason(principal, 'read', record) === undefined);
    return shapeRecords(visible, parsed);
  }

  /** Saves an item through the loader its scope routes to, if the principal may. */
  async register(type: string, given: Omit<MetadataRecordInput, 'type'>, options: RegisterOptions = {}): Promise<LoaderSaveResult> {
    // the strict layer, then every problem of the record at once, before any lookup or access rule reads it
    const record = parseRecordInput(type, given, this.limits).input as Omit<MetadataRecordInput, 'type'>;
    const { principal, rest } = this.callOf(options);
    const { allowSystem, loader: loaderName, expectedEtag, ...saveOptions } = rest as Omit<RegisterOptions, keyof CallOptions>;
    checkExpectedEtag(expectedEtag);
    const { correlationId, reason } = options;
    const existing = await this.find(this.loaders, type, record.name, { cache: false });
    // what is checked is what is written: scope and owner default to the current item's, then to the caller's
    const scope = record.scope ?? existing?.record.scope ?? 'platform';
    const owner = record.owner ?? existing?.record.owner ?? (scope === 'user' ? principal.id : undefined);
    const next = { ...record, scope, ...(owner !== undefined ? { owner } : {}) };
    const target = this.writerFor(scope, loaderName);
    if (existing && existing.loader !== target.contract.name) {
      throw new ConflictError(
        `${type}/${record.name} already exists in loader '${existing.loader}'; give the new item another name and point its extends at '${record.name}'`,
      );
    }
    if (existing) await this.authorize(principal, 'update', existing.record, { allowSystem }, correlationId);
    await this.authorize(
      principal,
      existing ? 'update' : 'create',
      { type, name: record.name, scope, owner },
      { allowSystem },
      correlationId,
    );
    return target.save(type, next, {
      ...saveOptions,
      actor: principal.id,
      reason,
      correlationId,
      source: this.source,
      // the item checked above is the item changed: a concurrent change in between makes this a conflict
      expectedEtag: expectedEtag !== undefined ? expectedEtag : existing ? existing.etag : null,
    });
  }

  /** Deletes an item, if the principal may. */
  async unregister(type: string, name: string, options: UnregisterOptions = {}): Promise<{ success: boolean }> {
    checkItemKey(type, name);
    const { principal, rest } = this.callOf(options);
    const { allowSystem, loader: loaderName, expectedEtag } = rest as Omit<UnregisterOptions, keyof CallOptions>;
    checkExpectedEtag(expectedEtag);
    const { correlationId, reason } = options;
    const existing = await this.find(this.pick({ loader: loaderName }), type, name, { cache: false });
    if (!existing) throw new NotFoundError(`${type}/${name} does not exist`);
    await this.authorize(principal, 'delete', existing.record, { allowSystem }, correlationId);
    const loader = this.loaders.find((candidate) => candidate.contract.name === existing.loader)!;
    return loader.delete(type, name, {
      actor: principal.id,
      reason,
      correlationId,
      source: this.source,
      expectedEtag: expectedEtag ?? existing.etag,
    });
  }

  /** The refused calls, oldest first. */
  refusals(query?: RefusalQuery): Promise<RecordedRefusal[]> {
    return this.options.refusals.list(query);
  }

  /** Closes every loader. */
  async close(): Promise<void> {
    for (const loader of this.loaders) await loader.close();
  }

  /** The call's principal (checked; the service's own when it names none) and its other options; who / why text checked too. */
  private callOf<O extends CallOptions>(options: O): { principal: Principal; rest: Omit<O, keyof CallOptions> } {
    if (typeof options !== 'object' || options === null)
      throw new ValidationError([{ path: '(root)', message: 'options must be an object' }], 'invalid call options');
    const { principal, correlationId, reason, ...rest } = options;
    checkWriteContext({ correlationId, reason });
    return { principal: principal === undefined ? this.principal : checkPrincipal(principal), rest };
  }

  /** `loader` names one loader; `datasource` picks the database loaders of that datasource. */
  private pick(options: { loader?: string; datasource?: string }): MetadataLoader[] {
    const picked = this.loaders.filter(
      (loader) =>
        (options.loader === undefined || loader.contract.name === options.loader) &&
        (options.datasource === undefined || loader.contract.datasourceConfig?.datasource === options.datasource),
    );
    if (picked.length === 0) {
      const [path, value] = options.loader !== undefined ? ['loader', options.loader] : ['datasource', options.datasource];
      throw new ValidationError(
        [{ path, message: `no loader matches '${value}' (loaders: ${this.loaders.map((loader) => loader.contract.name).join(', ')})` }],
        'invalid load options',
      );
    }
    return picked;
  }

  private writerFor(scope: MetadataScope, loaderName?: string): MetadataLoader {
    const route = this.options.routes.find((candidate) =>
      loaderName === undefined ? candidate.scopes.includes(scope) : candidate.loader.contract.name === loaderName,
    );
    if (!route)
      throw new ValidationError(
        [
          {
            path: loaderName ? 'loader' : 'scope',
            message: loaderName ? `no loader named '${loaderName}'` : `no loader stores ${scope} items`,
          },
        ],
        'cannot register',
      );
    return route.loader;
  }

  private async find(
    loaders: MetadataLoader[],
    type: string,
    name: string,
    options: StrictMetadataLoadOptionsInput,
  ): Promise<FoundItem | undefined> {
    for (const loader of loaders) {
      if (!loader.contract.capabilities.read) continue;
      const { data, etag } = await loader.load(type, name, options);
      if (data && etag) return { record: data, etag, loader: loader.contract.name };
    }
    return undefined;
  }

  private async overlaysOf(
    loaders: MetadataLoader[],
    type: string,
    names: string[],
    scope: MetadataScope,
    owner: string | undefined,
    options: StrictMetadataLoadOptionsInput,
  ): Promise<FoundItem[]> {
    const found = new Map<string, FoundItem>();
    for (const loader of loaders) {
      if (!loader.contract.capabilities.list) continue;
      const candidates = await loader.list(type, { ...options, filters: { scope, ...(owner !== undefined ? { owner } : {}) } });
      for (const record of candidates) {
        if (!record.extends || !names.includes(record.extends) || !liveStates.has(record.state) || found.has(record.name)) continue;
        // the etag comes from a load, so it is the same etag a get of that item shows
        const item = await this.find([loader], type, record.name, options);
        if (item) found.set(record.name, item);
      }
    }
    return [...found.values()].sort((a, b) => (a.record.name < b.record.name ? -1 : 1));
  }

  /** Throws FORBIDDEN (after recording the refusal) unless the principal may do this. */
  private authorize(
    principal: Principal,
    operation: Operation,
    item: ProtectedItem,
    flags: AccessFlags,
    correlationId?: string,
  ): Promise<void> {
    return enforceAccess(this.options.refusals, principal, operation, item, flags, { source: this.source, correlationId });
  }
}

guardPublicMethods(MetadataService, ['get', 'list', 'register', 'unregister', 'refusals', 'close']);
