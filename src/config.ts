import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from './errors.js';

/** Where the store's data lives. Resolved once, in the order: explicit options > environment > config file > embedded. */
export type ConnectionTarget =
  | {
      kind: 'postgres';
      connectionString?: string;
      config?: Record<string, unknown>;
      pool?: { min?: number; max?: number; idleTimeoutMillis?: number };
    }
  | { kind: 'pglite'; dataDir?: string };

export interface ConnectionChoice {
  connectionString?: string;
  /** A DatasourceSchema input (driver postgres or pglite). */
  datasource?: { driver?: string; config?: Record<string, unknown>; pool?: { min?: number; max?: number; idleTimeoutMillis?: number } };
  /** PGlite data directory; `inMemory` for a throwaway store. */
  dataDir?: string;
  inMemory?: boolean;
}

export const defaultDataDir = './.metaledger';

interface ConfigFile extends ConnectionChoice {
  schema?: string;
}

export function readConfigFile(cwd = process.cwd()): ConfigFile {
  const path = join(cwd, 'metaledger.config.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ConfigFile;
  } catch (error) {
    throw new ValidationError([{ path: 'metaledger.config.json', message: (error as Error).message }], 'malformed config file');
  }
}

function explicitTarget(choice: ConnectionChoice): ConnectionTarget | undefined {
  if (choice.connectionString) return { kind: 'postgres', connectionString: choice.connectionString };
  if (choice.datasource) {
    const { driver = 'postgres', config = {}, pool } = choice.datasource;
    if (driver === 'pglite') return { kind: 'pglite', dataDir: config.dataDir as string | undefined };
    return { kind: 'postgres', connectionString: config.connectionString as string | undefined, config, pool };
  }
  if (choice.inMemory) return { kind: 'pglite' };
  if (choice.dataDir) return { kind: 'pglite', dataDir: choice.dataDir };
  return undefined;
}

export function resolveConnectionTarget(choice: ConnectionChoice, env: NodeJS.ProcessEnv = process.env): ConnectionTarget {
  return (
    explicitTarget(choice) ??
    explicitTarget({ connectionString: env.DATABASE_URL, dataDir: env.METALEDGER_DATA_DIR }) ??
    explicitTarget(readConfigFile()) ?? { kind: 'pglite', dataDir: defaultDataDir }
  );
}
