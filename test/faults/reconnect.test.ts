import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataStore, type MetadataStore } from '../../src/index.js';
import { runScript } from './helpers/child-process.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
import { recordFigure } from './helpers/figures.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';
import { waitFor } from '../helpers/wait-for.js';

const poolMax = 4;

/** Saves until one goes through; how long after `since` that was. */
async function serveAgain(store: MetadataStore, name: string, since: number): Promise<number> {
  await waitFor(
    () =>
      store.save('object', { name, metadata: {} }).then(
        () => true,
        () => false,
      ),
    `${name} to be saved`,
    60_000,
  );
  return Date.now() - since;
}

describe('after an outage, one idle store', () => {
  let postgres: PrivatePostgres;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  });
  afterAll(() => postgres?.dispose());

  for (const outageMs of [500, 3_000]) {
    it(`reconnects once and keeps at most pool size + 1 connections (${outageMs} ms outage)`, async () => {
      const schema = `idle_${outageMs}`;
      const store = await createMetadataStore({ connectionString: postgres.url(), schema, datasource: { pool: { max: poolMax } } });
      store.onBackgroundError = () => {};
      try {
        await store.save('object', { name: 'before', metadata: {} });
        await postgres.stop('fast');
        await sleep(outageMs);
        await postgres.start();
        const back = Date.now();
        const recoveredMs = await serveAgain(store, 'after', back);
        // the listener's backoff is capped at 5 s: by then every retry chain there is has run
        await sleep(6_000);
        const listeners = await postgres.connections(`metaledger listener ${schema}`);
        const all = await postgres.connections('metaledger');
        recordFigure(`idle store, ${outageMs} ms outage`, { recoveredMs, listeners, connections: all });
        expect(listeners).toBe(1);
        expect(all).toBeLessThanOrEqual(poolMax + 1);
      } finally {
        await store.close();
      }
      await waitFor(async () => (await postgres.connections('metaledger')) === 0, 'every connection of the closed store to end');
    });
  }

  it('tries to reconnect a handful of times during a 3 s outage, not thousands', async () => {
    const proxy: FaultProxy = await startFaultProxy({ host: '127.0.0.1', port: postgres.port });
    const store = await createMetadataStore({
      connectionString: proxy.url('postgres'),
      schema: 'attempts',
      datasource: { pool: { max: poolMax } },
    });
    store.onBackgroundError = () => {};
    try {
      const before = proxy.accepted;
      await postgres.stop('fast');
      await sleep(3_000);
      const attempts = proxy.accepted - before;
      await postgres.start();
      recordFigure('idle store, connection attempts during a 3 s outage', { attempts });
      // one loop with exponential backoff from 100 ms: about five attempts in 3 s
      expect(attempts).toBeLessThanOrEqual(12);
      await serveAgain(store, 'after', Date.now());
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('close() during an outage ends every connection attempt and lets the process exit', async () => {
    const child = runScript('close-on-signal.ts', [postgres.url(), 'closing', String(poolMax)]);
    await child.waitForLine((line) => line === 'ready', 'the store to be ready');
    await postgres.stop('fast');
    try {
      await sleep(1_000);
      child.child.kill('SIGUSR2');
      await child.waitForLine((line) => line.startsWith('closed'), 'close() to resolve', 30_000);
      const { code, afterMs } = await child.exited(30_000);
      recordFigure('close() during an outage', { exitAfterCloseMs: afterMs });
      expect(code).toBe(0);
    } finally {
      child.kill();
      await postgres.start();
    }
    // nothing reconnected behind the closed store's back
    await sleep(1_000);
    expect(await postgres.connections('metaledger')).toBe(0);
  });
});
