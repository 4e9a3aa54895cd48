import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors.js';
import { describeIssues } from './protocol/issues.js';
import { droppedKeys } from './input/dropped-keys.js';
import { DatasourceSchema, StrictMetadataDriverConfigSchema, type StrictMetadataDriverConfigInput } from './protocol/index.js';

/** Where the store's data lives, once resolved; `datasource` is the DatasourceSchema input it came from, if any. */
export type ConnectionTarget = (
  | {
      kind: 'postgres';
      connectionString?: string;
      config?: Record<string, unknown>;
      pool?: { min?: number; max?: number; idleTimeoutMillis?: number };
    }
  | { kind: 'pglite'; dataDir?: string }
) & { datasource?: DatasourceChoice };

/** A DatasourceSchema input (driver postgres or pglite). */
export type DatasourceChoice = {
  name?: string;
  driver?: string;
  config?: Record<string, unknown>;
  pool?: { min?: number; max?: number; idleTimeoutMillis?: number };
  active?: boolean;
};

/** The options that say where the data lives; the first one given wins. */
export interface ConnectionChoice {
  /** A PostgreSQL connection string (`postgres://user:password@host:5432/database`). */
  connectionString?: string;
  /** A DatasourceSchema input (driver postgres or pglite). */
  datasource?: DatasourceChoice;
  /** PGlite data directory; `inMemory` for a throwaway store. */
  dataDir?: string;
  /** A throwaway embedded database in memory: nothing is written to disk. */
  inMemory?: boolean;
}

/**
 * How connections to PostgreSQL are opened and waited for: the options of `createMetadataStore` that a
 * config file's `connection` section can also hold. They apply to PostgreSQL only: the embedded database
 * refuses them.
 */
export interface ConnectionSettings {
  connectTimeoutMs?: number;
  acquireTimeoutMs?: number;
  transactionPooling?: boolean;
  listenConnectionString?: string;
}

/** The keys of ConnectionSettings. */
export const postgresOnlySettings = ['connectTimeoutMs', 'acquireTimeoutMs', 'transactionPooling', 'listenConnectionString'] as const;

/** The config file's name, looked for in the working directory. */
export const configFileName = 'metaledger.config.json';

/** Where the embedded database lives when nothing else is configured, relative to the working directory. */
export const defaultDataDir = '.metaledger';

const SchemaNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a SQL identifier: letters, digits, underscore, not starting with a digit');

const configFileKeys = {
  /** A PostgreSQL connection string (`postgres://user:password@host:5432/database`); give one of connectionString, dataDir, datasource. */
  connectionString: z.string().min(1).optional(),
  /** The embedded PGlite database's directory, relative to the config file's directory. */
  dataDir: z.string().min(1).optional(),
  /** A DatasourceSchema input (driver postgres or pglite), its name optional. */
  datasource: DatasourceSchema.omit({ name: true })
    .extend({
      /** The datasource's name, a lowercase SQL identifier; optional here. */
      name: DatasourceSchema.shape.name.optional(),
    })
    .optional(),
  /** The PostgreSQL schema holding every metaledger table (default `public`). */
  schema: SchemaNameSchema.optional(),
  /** A MetadataDriverConfig input (StrictMetadataDriverConfigSchema): table, migration, cache, transactions, queries. */
  driver: StrictMetadataDriverConfigSchema.optional(),
  /** How connections to PostgreSQL are opened and waited for (see ConnectionSettings). */
  connection: z
    .object({
      /** Opening one connection, in milliseconds; 0 waits for ever. Default: the URL's connect_timeout, else 10 000. */
      connectTimeoutMs: z.number().int().min(0).optional(),
      /** Waiting for a free connection when the pool is busy, in milliseconds (default 30 000). */
      acquireTimeoutMs: z.number().int().min(1).optional(),
      /** PostgreSQL is reached through a transaction-pooling proxy such as PgBouncer (default false). */
      transactionPooling: z.boolean().optional(),
      /** A direct connection to the same PostgreSQL, used only to LISTEN for other processes' changes. */
      listenConnectionString: z.string().min(1).optional(),
    })
    .optional(),
  /** `metaledger serve`'s settings: checked, unknown keys included, by the server's own schema when it starts. */
  server: z.record(z.string(), z.unknown()).optional(),
};

/**
 * `metaledger.config.json`: every key optional; `datasource` and `driver` take DatasourceSchema and
 * StrictMetadataDriverConfigSchema inputs, as createMetadataStore does. Unknown keys, at any depth, are refused by
 * `readConfigFile` (a typo must not send the data somewhere else).
 */
export const ConfigFileSchema = z.object(configFileKeys).superRefine((config, context) => {
  const given = (['connectionString', 'dataDir', 'datasource'] as const).filter((key) => config[key] !== undefined);
  if (given.length > 1) {
    context.addIssue({
      code: 'custom',
      path: [given[1]],
      message: `give one of connectionString, dataDir, datasource (also given: ${given[0]})`,
    });
  }
});

export type ConfigFile = z.input<typeof ConfigFileSchema>;

/** Every unknown key of a config file, at any depth, also when other values are invalid. */
function unknownKeysOf(given: unknown): ValidationIssue[] {
  if (!isPlainObject(given)) return [];
  return Object.entries(given).flatMap(([key, value]) => {
    if (!Object.hasOwn(configFileKeys, key)) {
      return [{ path: key, message: `unknown key '${key}'; the config file takes ${Object.keys(configFileKeys).join(', ')}` }];
    }
    const parsed = configFileKeys[key as keyof typeof configFileKeys].safeParse(value);
    return parsed.success ? droppedKeys(value, parsed.data, [key]) : [];
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A config file read and checked; `path` is absolute. */
export interface LoadedConfigFile {
  path: string;
  config: z.output<typeof ConfigFileSchema>;
  /** What was written, before defaults: only these keys take part in the precedence. */
  given: ConfigFile;
}

/**
 * Reads and validates a config file. `path` undefined looks for `metaledger.config.json` in `cwd` and
 * is fine when there is none; a path given explicitly must exist.
 */
export function readConfigFile(cwd: string, path?: string): LoadedConfigFile | undefined {
  const file = resolve(cwd, path ?? configFileName);
  if (!existsSync(file)) {
    if (path === undefined) return undefined;
    throw new ValidationError([{ path: file, message: 'no such file' }], 'config file not found');
  }
  let given: unknown;
  try {
    given = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ValidationError([{ path: file, message: (error as Error).message }], 'malformed config file');
  }
  const result = ConfigFileSchema.safeParse(given);
  const issues = [...(result.success ? [] : describeIssues(result.error)), ...unknownKeysOf(given)];
  if (issues.length > 0) throw new ValidationError(issues, `invalid config file ${file}`);
  return { path: file, config: result.data!, given: given as ConfigFile };
}

/** Where a setting came from, for `--verbose` and `metaledger status`. */
export type SettingSource = 'option' | 'environment' | 'config file' | 'default';

/** What a store opens: where the data is, in which schema, with which driver settings, and why. */
export interface ResolvedSettings {
  target: ConnectionTarget;
  schema: string;
  driver?: StrictMetadataDriverConfigInput;
  /** Connection settings: each given option, else the config file's `connection` section. */
  connectionSettings: ConnectionSettings;
  sources: { connection: SettingSource; schema: SettingSource; driver?: SettingSource };
  /** The config file that was read, if any. */
  configFile?: string;
  /** The config file's `server` section, for `metaledger serve`. */
  server?: Record<string, unknown>;
}

/** Where resolution looks: the environment and working directory, and which config file (false: none). */
export interface ResolveContext {
  env: Record<string, string | undefined>;
  cwd: string;
  configFile?: string | false;
}

function chosenTarget(choice: ConnectionChoice, baseDir: string): ConnectionTarget | undefined {
  const local = (dir: string) => (dir.includes('://') || isAbsolute(dir) ? dir : resolve(baseDir, dir));
  if (choice.connectionString) return { kind: 'postgres', connectionString: choice.connectionString };
  if (choice.datasource) {
    const { driver = 'postgres', config = {}, pool } = choice.datasource;
    if (driver === 'pglite') {
      const dataDir = config.dataDir as string | undefined;
      // kept whole (its `active`, its checks), with the directory taken from where it was written
      const datasource = { ...choice.datasource, config: { ...config, ...(dataDir && { dataDir: local(dataDir) }) } };
      return { kind: 'pglite', dataDir: dataDir && local(dataDir), datasource };
    }
    return {
      kind: 'postgres',
      connectionString: config.connectionString as string | undefined,
      config,
      pool,
      datasource: choice.datasource,
    };
  }
  if (choice.inMemory) return { kind: 'pglite' };
  if (choice.dataDir) return { kind: 'pglite', dataDir: local(choice.dataDir) };
  return undefined;
}

/**
 * Resolves each setting on its own, first given wins: explicit options > environment (`DATABASE_URL`,
 * `METALEDGER_DATA_DIR`, `METALEDGER_SCHEMA`) > the config file > the embedded default
 * (`./.metaledger`, schema `public`). Relative directories are taken from the working directory, or
 * from the config file's directory for the file's own.
 */
export function resolveStoreSettings(
  options: ConnectionChoice & ConnectionSettings & { schema?: string; driver?: StrictMetadataDriverConfigInput },
  context: ResolveContext,
): ResolvedSettings {
  const file = context.configFile === false ? undefined : readConfigFile(context.cwd, context.configFile);
  const fromFile = file?.given ?? {};
  const fileDir = file ? dirname(file.path) : context.cwd;
  const env = context.env;

  const connection: [ConnectionTarget | undefined, SettingSource][] = [
    [chosenTarget(options, context.cwd), 'option'],
    [chosenTarget({ connectionString: env.DATABASE_URL, dataDir: env.METALEDGER_DATA_DIR }, context.cwd), 'environment'],
    [chosenTarget(fromFile as ConnectionChoice, fileDir), 'config file'],
    [{ kind: 'pglite', dataDir: join(context.cwd, defaultDataDir) }, 'default'],
  ];
  const [target, connectionSource] = connection.find(([candidate]) => candidate !== undefined) as [ConnectionTarget, SettingSource];

  const schemas: [string | undefined, SettingSource][] = [
    [options.schema, 'option'],
    [env.METALEDGER_SCHEMA || undefined, 'environment'],
    [fromFile.schema, 'config file'],
    ['public', 'default'],
  ];
  const [schema, schemaSource] = schemas.find(([candidate]) => candidate !== undefined) as [string, SettingSource];

  const driver = options.driver ?? (fromFile.driver as StrictMetadataDriverConfigInput | undefined);
  const driverSource: SettingSource | undefined = options.driver ? 'option' : fromFile.driver ? 'config file' : undefined;
  const connectionSettings: ConnectionSettings = { ...fromFile.connection };
  for (const key of postgresOnlySettings) {
    if (options[key] !== undefined) Object.assign(connectionSettings, { [key]: options[key] });
  }
  return {
    target,
    schema,
    driver,
    connectionSettings,
    sources: { connection: connectionSource, schema: schemaSource, ...(driverSource && { driver: driverSource }) },
    configFile: file?.path,
    server: fromFile.server,
  };
}

/** The backend in words a person can check, never with a password. */
export interface BackendDescription {
  kind: 'postgres' | 'pglite';
  /** PostgreSQL: where it connects. */
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  /** PGlite: the data directory, or undefined in memory. */
  dataDir?: string;
  schema: string;
  /** One line: `PostgreSQL alice@db.example:5432/meta, schema public`. */
  summary: string;
}

function postgresEndpoint(target: Extract<ConnectionTarget, { kind: 'postgres' }>) {
  const config = target.config ?? {};
  const fromConfig = {
    host: config.host as string | undefined,
    port: config.port as number | undefined,
    database: config.database as string | undefined,
    user: config.user as string | undefined,
  };
  if (!target.connectionString) return fromConfig;
  try {
    const url = new URL(target.connectionString);
    return {
      host: url.hostname || url.searchParams.get('host') || fromConfig.host,
      port: url.port ? Number(url.port) : fromConfig.port,
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || fromConfig.database,
      user: decodeURIComponent(url.username) || fromConfig.user,
    };
  } catch {
    return fromConfig; // not a URL: the driver will say what is wrong with it
  }
}

/** Describes a resolved target: host, port, database and user, or the data directory; never a password. */
export function describeBackend(target: ConnectionTarget, schema: string): BackendDescription {
  if (target.kind === 'pglite') {
    const where = target.dataDir ?? 'memory';
    return { kind: 'pglite', dataDir: target.dataDir, schema, summary: `embedded PGlite ${where}, schema ${schema}` };
  }
  const endpoint = postgresEndpoint(target);
  const user = endpoint.user ? `${endpoint.user}@` : '';
  const address = `${endpoint.host ?? 'localhost'}:${endpoint.port ?? 5432}/${endpoint.database ?? ''}`;
  return { kind: 'postgres', ...endpoint, schema, summary: `PostgreSQL ${user}${address}, schema ${schema}` };
}

/** The options that open exactly `target` (the inverse of resolution), for a caller that resolved it itself. */
export function connectionChoiceOf(target: ConnectionTarget): ConnectionChoice {
  if (target.datasource) return { datasource: target.datasource };
  if (target.kind === 'pglite') return target.dataDir === undefined ? { inMemory: true } : { dataDir: target.dataDir };
  return { connectionString: target.connectionString };
}
