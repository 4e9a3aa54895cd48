import { createMetadataStore, type CreateMetadataStoreOptions } from '../store/create-store.js';
import { MetadataDriver } from './metadata-driver.js';

/** Opens a store (migrating it when autoMigrate) and its driver with one configuration, then prefetches when asked. */
export async function createMetadataDriver(options: CreateMetadataStoreOptions = {}): Promise<MetadataDriver> {
  const { migration, ...config } = options.driver ?? {};
  const store = await createMetadataStore(options);
  try {
    // the store has just applied autoMigrate; the driver keeps the rest of the migration settings
    const { autoMigrate: _applied, ...rest } = migration ?? {};
    return await new MetadataDriver(store, { ...config, migration: rest }).init();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}
