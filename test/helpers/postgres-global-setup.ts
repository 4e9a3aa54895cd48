import pg from 'pg';
import type { TestProject } from 'vitest/node';

const localUrl = 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Finds the PostgreSQL the integration tests run on: DATABASE_URL, else the local server, else a
 * Testcontainers PostgreSQL when a Docker engine answers. Fails loudly when there is none.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  for (const url of [process.env.DATABASE_URL, localUrl]) {
    if (url && (await reachable(url))) {
      project.provide('databaseUrl', url);
      return async () => {};
    }
  }
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:15')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
    .start();
  project.provide('databaseUrl', `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/test`);
  return async () => {
    await container.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
