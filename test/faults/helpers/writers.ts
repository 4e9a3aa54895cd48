import { setTimeout as sleep } from 'node:timers/promises';
import { DatasourceUnavailableError, isMetaledgerError, type MetadataStore } from '../../../src/index.js';
import type { Acknowledged } from './invariants.js';

/** What concurrent writers saw: acknowledged saves (with when), failures by code, and the slowest call. */
export interface WriterLog {
  acknowledged: (Acknowledged & { at: number })[];
  errors: Record<string, number>;
  slowestMs: number;
}

/** Acknowledged saves per second in [from, to). */
export function rate(log: WriterLog, from: number, to: number): number {
  return log.acknowledged.filter((ack) => ack.at >= from && ack.at < to).length / ((to - from) / 1000);
}

/** When the first save after `since` was acknowledged. */
export function firstAckAfter(log: WriterLog, since: number): number | undefined {
  return log.acknowledged.find((ack) => ack.at >= since)?.at;
}

/**
 * `count` writers saving their own items in a loop on one store until stopped. A failure is counted by
 * code (and, for DATASOURCE_UNAVAILABLE, by outcome) and the writer pauses 20 ms before going on.
 */
export function startWriters(store: MetadataStore, count: number, prefix: string): { log: WriterLog; stop: () => Promise<WriterLog> } {
  const log: WriterLog = { acknowledged: [], errors: {}, slowestMs: 0 };
  let running = true;
  const loops = Array.from({ length: count }, async (_, writer) => {
    for (let i = 0; running; i++) {
      const name = `${prefix}${writer}_${i % 20}`;
      const started = Date.now();
      try {
        const { version } = await store.save('object', { name, metadata: { writer, i } });
        log.acknowledged.push({ name, version, at: Date.now() });
      } catch (error) {
        const key =
          error instanceof DatasourceUnavailableError
            ? `DATASOURCE_UNAVAILABLE (${error.outcome ?? 'read'})`
            : isMetaledgerError(error)
              ? error.code
              : `untyped: ${(error as Error)?.message}`;
        log.errors[key] = (log.errors[key] ?? 0) + 1;
        await sleep(20);
      }
      log.slowestMs = Math.max(log.slowestMs, Date.now() - started);
    }
  });
  return {
    log,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return log;
    },
  };
}
