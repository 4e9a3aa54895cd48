import { frameworkMetadataProjection, inlineProjectionCtes } from '../../projections/framework-metadata.js';
import { readCollectionInfo } from '../../projections/collection-info.js';
import { describeTable, type FrameworkMetadataTable } from '../table/framework-metadata-table.js';
import {
  postgresOnlySettings,
  resolveStoreSettings,
  type ConnectionChoice,
  type ConnectionSettings,
  type ConnectionTarget,
} from '../config.js';
import type { Datasource } from '../datasource/datasource.js';
import { quoteIdentifier } from '../datasource/identifier.js';
import { parsePostgresUrl } from '../datasource/postgres-url.js';
import { sslFor } from '../datasource/ssl-mode.js';
import { resolveTimeouts, type ConnectionTimeouts } from '../datasource/timeouts.js';
import { MetaledgerError, ValidationError } from '../errors.js';
import { resolveInputLimits, type InputLimits } from '../input/input-limits.js';
import { atPublicBoundary } from '../input/public-boundary.js';
import { refuseUnknownKeys } from '../input/dropped-keys.js';
import { optionsObject } from '../input/options-object.js';
import { prepareDatabase } from '../migrate/table/prepare-projection.js';
import {
  StrictDatasourceSchema,
  StrictMetadataDriverConfigSchema,
  type DatasourceSslOptions,
  type SslMode,
  type StrictMetadataDriverConfigInput,
} from '../protocol/index.js';
import type { ProjectionSettings } from '../projections/projection-runner.js';
import type { GroupCommitLimits } from '../write/append-batcher.js';
import { constructStore, internalsOf, type MetadataStore } from './metadata-store.js';
import type { ShippedProjections, StoreSettings } from './store-internals.js';
import { parseInput, parseOptions } from '../input/parse-input.js';

/** How `createMetadataStore` connects (PostgreSQL, or the embedded PGlite), and the store's settings. */
export interface CreateMetadataStoreOptions extends Omit<ConnectionChoice, 'datasource'>, ConnectionTimeouts {
  /**
   * A DatasourceSchema input (driver postgres or pglite). `config.ssl` / `config.sslMode` set TLS for
   * PostgreSQL; a datasource with `active: false` is not opened.
   */
  datasource?: ConnectionChoice['datasource'] & { name?: string; active?: boolean };
  /** PostgreSQL schema holding every metaledger table; default `$METALEDGER_SCHEMA`, else the config file's, else `public`. */
  schema?: string;
  /**
   * The config file for the settings not given here (see docs/operations.md): a path, or `false` to read
   * none. Default: `metaledger.config.json` in the working directory, if there is one.
   */
  configFile?: string | false;
  /** MetadataDriverConfig input (checked by StrictMetadataDriverConfigSchema): transactions, cache, table schema, migration. */
  driver?: StrictMetadataDriverConfigInput;
  /** Keep a full snapshot every this many versions of an item (bounds time-travel cost). Default 100. */
  snapshotEvery?: number;
  /** Overrides the driver's cache settings (the loader-level MetadataDatasourceConfig.cache). */
  cache?: { enabled?: boolean; ttlSeconds?: number; invalidateOnWrite?: boolean };
  /** Extra projections, modes per projection, and pg-boss job settings. */
  projections?: ProjectionSettings;
  /**
   * Group commit of concurrent saves: how many append statements run at once (default 2) and how many
   * events one carries at most (default: the driver's performance.batchSize).
   */
  groupCommit?: Partial<GroupCommitLimits>;
  /**
   * How large one record may be: nesting depth (default 64), keys and array elements (default 100,000),
   * bytes of JSON (default 1 MiB). Larger records are refused with VALIDATION.
   */
  limits?: Partial<InputLimits>;
  /**
   * PostgreSQL is reached through a transaction-pooling proxy (PgBouncer with pool_mode=transaction): no
   * named prepared statements, the schema, time zone and statement timeout set in every transaction, and
   * no LISTEN through the proxy (see `listenConnectionString`). Default false.
   */
  transactionPooling?: boolean;
  /**
   * A direct connection to the same PostgreSQL, used only to LISTEN for other processes' changes. Needed
   * behind a transaction pooler (without it the cache falls back to its TTL, with a warning); elsewhere
   * the store listens on a connection like its others.
   */
  listenConnectionString?: string;
}

/** Every option createMetadataStore takes (the compiler keeps this in step with the interface). */
const storeOptionKeys = Object.keys({
  connectionString: true,
  datasource: true,
  dataDir: true,
  inMemory: true,
  connectTimeoutMs: true,
  acquireTimeoutMs: true,
  schema: true,
  configFile: true,
  driver: true,
  snapshotEvery: true,
  cache: true,
  projections: true,
  groupCommit: true,
  limits: true,
  transactionPooling: true,
  listenConnectionString: true,
} satisfies Record<keyof CreateMetadataStoreOptions, true>);

/** An option createMetadataStore does not know, at the top or in a section it reads key by key, is refused, not ignored. */
function refuseUnknownStoreOptions(options: CreateMetadataStoreOptions): void {
  refuseUnknownKeys(optionsObject(options, 'store options'), storeOptionKeys, 'store options');
  const sections: [keyof CreateMetadataStoreOptions, readonly string[]][] = [
    ['cache', ['enabled', 'ttlSeconds', 'invalidateOnWrite']],
    ['groupCommit', ['statementsInFlight', 'eventsPerStatement']],
    ['projections', ['definitions', 'modes', 'jobs', 'batchSize', 'debounceMs']],
  ];
  for (const [section, keys] of sections) {
    const given = options[section];
    if (given !== undefined) refuseUnknownKeys(optionsObject(given as object, section), keys, `${section} options`);
  }
}

/** Each backend's driver is loaded only when used: a store on PGlite never loads pg, and the reverse. */
async function openDatasource(
  target: ConnectionTarget,
  schema: string,
  options: CreateMetadataStoreOptions,
  statementTimeoutMs: number,
  secrets: (string | undefined)[],
): Promise<Datasource> {
  if (target.kind === 'pglite') {
    refusePostgresOnlySettings(options);
    return (await import('../datasource/pglite.js')).openPglite(target.dataDir, schema);
  }
  const { openPostgres } = await import('../datasource/postgres.js');
  const config = target.config ?? {};
  if (target.connectionString) parsePostgresUrl(target.connectionString);
  if (options.listenConnectionString) parsePostgresUrl(options.listenConnectionString);
  const ssl = sslFor(config.ssl as boolean | DatasourceSslOptions | undefined, config.sslMode as SslMode | undefined);
  return openPostgres(
    {
      connectionString: target.connectionString,
      host: config.host as string | undefined,
      port: config.port as number | undefined,
      database: config.database as string | undefined,
      user: config.user as string | undefined,
      password: config.password as string | undefined,
      ssl,
      poolMin: target.pool?.min,
      poolMax: target.pool?.max,
      idleTimeoutMillis: target.pool?.idleTimeoutMillis,
      statementTimeoutMs,
      ...resolveTimeouts(options, target.connectionString),
      transactionPooling: options.transactionPooling,
      listenConnectionString: options.listenConnectionString,
      secrets,
    },
    schema,
  );
}

/** The embedded database is one in-process connection: connection settings would be accepted and ignored there. */
function refusePostgresOnlySettings(options: ConnectionSettings): void {
  const given = postgresOnlySettings.filter((key) => options[key] !== undefined);
  if (given.length === 0) return;
  throw new ValidationError(
    given.map((key) => ({ path: key, message: 'applies to PostgreSQL only; the embedded PGlite database opens no connections' })),
    'connection settings given for the embedded database',
  );
}

function secretsOf(options: CreateMetadataStoreOptions, target: ConnectionTarget): (string | undefined)[] {
  const password = (target.kind === 'postgres' ? target.config?.password : undefined) as string | undefined;
  const fromUrl = (url?: string) => {
    try {
      return url ? decodeURIComponent(new URL(url).password) || undefined : undefined;
    } catch {
      return undefined;
    }
  };
  const url = target.kind === 'postgres' ? target.connectionString : undefined;
  return [password, fromUrl(url), fromUrl(options.listenConnectionString), fromUrl(process.env.DATABASE_URL)];
}

/** Opens (and by default migrates) a store on PostgreSQL or the embedded PGlite. */
export function createMetadataStore(options: CreateMetadataStoreOptions = {}): Promise<MetadataStore> {
  return atPublicBoundary(() => {
    refuseUnknownStoreOptions(options);
    // explicit options > environment > config file > the embedded default, setting by setting
    const settings = resolveStoreSettings(options, { env: process.env, cwd: process.cwd(), configFile: options.configFile });
    const resolved = { ...options, ...settings.connectionSettings, schema: settings.schema, driver: settings.driver };
    const secrets = secretsOf(resolved, settings.target);
    return createMetadataStoreOn(
      (schema, timeoutMs) => openDatasource(settings.target, schema, resolved, timeoutMs, secrets),
      resolved,
      secrets,
    );
  });
}

/** Opens the database a store works on, in its schema, with its statement timeout. */
export type DatasourceOpener = (schema: string, timeoutMs: number) => Promise<Datasource> | Datasource;

/**
 * createMetadataStore on a datasource the caller opens (several stores on one embedded database share
 * one: PGlite is one connection). Not part of the public API.
 */
export async function createMetadataStoreOn(
  open: DatasourceOpener,
  options: CreateMetadataStoreOptions = {},
  secrets: (string | undefined)[] = [],
): Promise<MetadataStore> {
  const schema = options.schema ?? 'public';
  quoteIdentifier(schema, 'schema');
  if (options.datasource) {
    const datasource = parseInput(StrictDatasourceSchema, { name: 'metadata_db', ...options.datasource }, 'datasource');
    if (!datasource.active)
      throw new MetaledgerError('DATASOURCE_UNAVAILABLE', `datasource '${datasource.name}' is not active (active: false)`);
    if (datasource.driver === 'pglite' && (datasource.config.ssl !== undefined || datasource.config.sslMode !== undefined))
      throw new ValidationError(
        [
          {
            path: `config.${datasource.config.sslMode !== undefined ? 'sslMode' : 'ssl'}`,
            message: 'pglite runs inside this process: there is no connection to encrypt',
          },
        ],
        'invalid datasource',
      );
  }
  const driver = parseOptions(StrictMetadataDriverConfigSchema, options.driver ?? {}, 'driver config');
  const limits = resolveInputLimits(options.limits);
  const snapshotEvery = options.snapshotEvery ?? 100;
  const groupCommit = {
    statementsInFlight: options.groupCommit?.statementsInFlight ?? 2,
    eventsPerStatement: options.groupCommit?.eventsPerStatement ?? driver.performance.batchSize,
  };
  const notPositive = [
    ['snapshotEvery', snapshotEvery],
    ['groupCommit.statementsInFlight', groupCommit.statementsInFlight],
    ['groupCommit.eventsPerStatement', groupCommit.eventsPerStatement],
  ].filter(([, value]) => !Number.isInteger(value) || (value as number) < 1);
  if (notPositive.length > 0) {
    throw new ValidationError(notPositive.map(([path]) => ({ path: path as string, message: 'must be a positive integer' })));
  }
  // the projection lives in the store's schema unless the table schema names another one
  const table = describeTable(driver.tableSchema, schema);
  const datasource = await open(schema, driver.transaction.timeout);
  try {
    if (driver.migration.autoMigrate) await prepareDatabase(datasource, table, driver.migration);
  } catch (error) {
    await datasource.close().catch(() => {});
    throw error;
  }
  const settings: StoreSettings = {
    retry: { retryOnConflict: driver.transaction.retryOnConflict, maxRetries: driver.transaction.maxRetries },
    isolation: driver.transaction.defaultIsolation,
    timeoutMs: driver.transaction.timeout,
    cache: {
      enabled: options.cache?.enabled ?? driver.performance.enableCache,
      ttlSeconds: options.cache?.ttlSeconds ?? driver.performance.cacheTtlSeconds,
      invalidateOnWrite: options.cache?.invalidateOnWrite ?? true,
    },
    snapshot: { snapshotEvery },
    table,
    secrets,
    projections: options.projections,
    groupCommit,
    limits,
  };
  const store = constructStore(datasource, settings, shippedProjections(table));
  try {
    await internalsOf(store).start();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}

/** The composition root wires the projections metaledger ships into the store; the store core knows none of them. */
function shippedProjections(table: FrameworkMetadataTable): ShippedProjections {
  return {
    frameworkMetadata: frameworkMetadataProjection(table),
    frameworkMetadataInline: inlineProjectionCtes(table),
    readCollectionInfo: (db) => readCollectionInfo(db),
  };
}
