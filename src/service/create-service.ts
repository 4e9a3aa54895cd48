import { ValidationError } from '../errors.js';
import { DatabaseLoader } from '../loaders/database/database-loader.js';
import { FileLoader, type FileFormat } from '../loaders/file/file-loader.js';
import type { MetadataManagerConfigInput } from '../protocol/index.js';
import { internalsOf, type MetadataStore } from '../store/metadata-store.js';
import { readManagerConfig } from './manager-config.js';
import { MetadataService, type LoaderRoute } from './metadata-service.js';
import type { Principal } from './principal.js';
import { databaseRefusalLog } from './refusal-log.js';

/** A service with system items in files (or the store) and platform and user items in the store. */
export interface HybridServiceOptions {
  /** Platform and user items, and the refusal log. */
  store: MetadataStore;
  /** A directory of system items (version-controlled files); without one, system items live in the store too. */
  systemDir?: string;
  /**
   * A protocol MetadataManagerConfig: `rootDir` / `basePath` name the system directory, `loaders` the
   * contracts of the file and database loaders, `cache: false` reads around every cache, `formats` the
   * file formats read and written. `watch` and `watchOptions` are refused (nothing to refresh).
   */
  manager?: MetadataManagerConfigInput;
  /** Who calls when a call names no principal (default: anonymous). */
  principal?: Principal;
  /** Recorded with changes and refusals (default `api`). */
  source?: string;
}

/** The protocol's hybrid storage: system items from files, platform and user items from the database. */
export function createMetadataService(options: HybridServiceOptions): MetadataService {
  const setup = readManagerConfig(options.manager ?? {});
  if (options.systemDir !== undefined && setup.systemDir !== undefined && setup.systemDir !== options.systemDir)
    throw new ValidationError(
      [{ path: 'manager.rootDir', message: `names ${setup.systemDir}, but systemDir is ${options.systemDir}` }],
      'invalid service options',
    );
  const systemDir = options.systemDir ?? setup.systemDir;
  if (setup.files && systemDir === undefined)
    throw new ValidationError(
      [{ path: 'manager.loaders', message: 'a file: loader needs a directory: give rootDir or basePath (or systemDir)' }],
      'invalid service options',
    );
  const cache = setup.cache ? {} : { cache: { ...internalsOf(options.store).settings.cache, enabled: false } };
  const database = new DatabaseLoader(options.store, {
    ...setup.database,
    datasourceConfig: { datasource: 'default', ...setup.database?.datasourceConfig, ...cache },
  });
  const files =
    systemDir !== undefined &&
    new FileLoader({
      root: systemDir,
      name: setup.files?.name ?? 'system-files',
      description: setup.files?.description,
      capabilities: setup.files?.capabilities,
      formats: setup.formats ?? (setup.files?.supportedFormats as FileFormat[] | undefined),
      cache: setup.cache && setup.files?.supportsCache !== false,
    });
  const routes: LoaderRoute[] = files
    ? [
        { loader: files, scopes: ['system'] },
        { loader: database, scopes: ['platform', 'user'] },
      ]
    : [{ loader: database, scopes: ['system', 'platform', 'user'] }];
  return new MetadataService({
    routes,
    refusals: databaseRefusalLog(options.store.db),
    principal: options.principal,
    source: options.source,
    limits: internalsOf(options.store).settings.limits,
  });
}
