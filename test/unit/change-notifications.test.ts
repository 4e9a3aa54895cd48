import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ChangeNotifications } from '../../src/cache/change-notifications.js';
import type { Datasource } from '../../src/datasource/datasource.js';
import { waitFor } from '../helpers/wait-for.js';

/** A datasource whose LISTEN connection is scripted: it works while `up`, and the test can drop it. */
function scriptedDatasource() {
  const state = { up: true, attempts: 0, inFlight: 0, maxInFlight: 0, open: 0, drop: () => {} };
  const datasource = {
    schema: 's',
    identity: `test:${Math.random()}`,
    async listen(_channel: string, _onMessage: (payload: string) => void, onLost: (error: unknown) => void) {
      state.attempts++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await sleep(5);
      state.inFlight--;
      if (!state.up) {
        // what a failed pg connect also does: report the end of a connection that never listened
        onLost(new Error('ended'));
        throw new Error('connect ECONNREFUSED');
      }
      state.open++;
      let stopped = false;
      state.drop = () => {
        if (stopped) return;
        stopped = true;
        state.open--;
        onLost(new Error('terminated'));
      };
      return {
        stop: async () => {
          if (!stopped) state.open--;
          stopped = true;
        },
      };
    },
  } as unknown as Datasource;
  return { state, datasource };
}

describe('change notifications reconnect in one loop', () => {
  it('one attempt at a time, backing off, and listening once again when the database returns', async () => {
    const { state, datasource } = scriptedDatasource();
    let losses = 0;
    const notifications = new ChangeNotifications(
      datasource,
      'me',
      () => {},
      () => losses++,
    );
    await notifications.start();
    expect(state.open).toBe(1);
    state.up = false;
    state.drop();
    await sleep(1_600);
    // 100, 200, 400, 800 ms pauses (half of each random): at most 5 attempts, never two at once
    expect(state.attempts - 1).toBeGreaterThanOrEqual(2);
    expect(state.attempts - 1).toBeLessThanOrEqual(5);
    expect(state.maxInFlight).toBe(1);
    state.up = true;
    await waitFor(() => notifications.connected, 'listening again', 10_000);
    expect(state.open).toBe(1);
    // forgotten when the connection dropped, and again once listening (changes meanwhile were not heard)
    expect(losses).toBe(2);
    await notifications.close();
    expect(state.open).toBe(0);
  }, 20_000);

  it('close() while reconnecting stops the loop at once', async () => {
    const { state, datasource } = scriptedDatasource();
    const notifications = new ChangeNotifications(
      datasource,
      'me',
      () => {},
      () => {},
    );
    await notifications.start();
    state.up = false;
    state.drop();
    await sleep(150);
    const started = Date.now();
    await notifications.close();
    expect(Date.now() - started).toBeLessThan(500);
    const attempts = state.attempts;
    state.up = true;
    await sleep(1_500);
    expect(state.attempts).toBe(attempts);
    expect(state.open).toBe(0);
  }, 20_000);
});
