import { fromDatasourceConfig } from '../../driver/datasource-config.js';
import { MetaledgerError, ValidationError } from '../../errors.js';
import {
  StrictDatasourceSchema,
  StrictMetadataLoaderContractSchema,
  type DatasourceInput,
  type MetadataLoaderContractInput,
} from '../../protocol/index.js';
import { createMetadataStore } from '../../store/create-store.js';
import { parseInput } from '../../input/parse-input.js';
import { DatabaseLoader } from './database-loader.js';

/**
 * Opens a `database:` loader from its contract: `datasourceConfig.datasource` names one of `datasources`;
 * its schema, table, auto-migration, cache and query options configure the store the loader opens (and
 * closes) and the loader's driver (see fromDatasourceConfig).
 */
export async function openDatabaseLoader(
  contractInput: MetadataLoaderContractInput,
  datasources: DatasourceInput[],
): Promise<DatabaseLoader> {
  const contract = parseInput(StrictMetadataLoaderContractSchema, contractInput, 'loader contract');
  const config = contract.datasourceConfig;
  if (!config)
    throw new ValidationError(
      [{ path: 'datasourceConfig', message: 'a database loader needs a datasourceConfig' }],
      'invalid loader contract',
    );
  const found = datasources.find((candidate) => candidate.name === config.datasource);
  if (!found) {
    throw new ValidationError(
      [
        {
          path: 'datasourceConfig.datasource',
          message: `no datasource named '${config.datasource}' (known: ${datasources.map((d) => d.name).join(', ') || 'none'})`,
        },
      ],
      'invalid loader contract',
    );
  }
  const datasource = parseInput(StrictDatasourceSchema, found, 'datasource');
  if (!datasource.active)
    throw new MetaledgerError('DATASOURCE_UNAVAILABLE', `datasource '${datasource.name}' is not active (active: false)`);
  const store = await createMetadataStore({
    datasource: { driver: datasource.driver, config: datasource.config, pool: datasource.pool },
    ...fromDatasourceConfig(contractInput.datasourceConfig!),
  });
  try {
    return new DatabaseLoader(store, contractInput, true);
  } catch (error) {
    await store.close();
    throw error;
  }
}
