import { DatabaseLoader } from '../loaders/database/database-loader.js';
import { FileLoader } from '../loaders/file/file-loader.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { MetadataService, type LoaderRoute } from './metadata-service.js';
import type { Principal } from './principal.js';
import { databaseRefusalLog } from './refusal-log.js';

export interface HybridServiceOptions {
  /** Platform and user items, and the refusal log. */
  store: MetadataStore;
  /** A directory of system items (version-controlled files); without one, system items live in the store too. */
  systemDir?: string;
  principal?: Principal;
  source?: string;
}

/** The protocol's hybrid storage: system items from files, platform and user items from the database. */
export function createMetadataService(options: HybridServiceOptions): MetadataService {
  const database = new DatabaseLoader(options.store);
  const routes: LoaderRoute[] = options.systemDir
    ? [
        { loader: new FileLoader({ root: options.systemDir, name: 'system-files' }), scopes: ['system'] },
        { loader: database, scopes: ['platform', 'user'] },
      ]
    : [{ loader: database, scopes: ['system', 'platform', 'user'] }];
  return new MetadataService({
    routes,
    refusals: databaseRefusalLog(options.store.db),
    principal: options.principal,
    source: options.source,
    limits: options.store.settings.limits,
  });
}
