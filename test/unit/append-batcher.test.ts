import { describe, expect, it } from 'vitest';
import type { SqlRunner } from '../../src/datasource/sql-runner.js';
import type { PendingEvent } from '../../src/events/append-events.js';
import { AppendBatcher } from '../../src/write/append-batcher.js';

// Group commit with a fake runner standing in for the append statement: it holds each statement until
// the test releases it, and keeps stream versions the way the statement does (a stream advances only
// from version - 1, else the whole statement fails with ML409 and writes nothing).
interface SentEvent extends PendingEvent {
  changesetId: string;
}

class FakeLog {
  readonly versions = new Map<string, number>();
  readonly statements: string[][] = [];
  private readonly held: (() => void)[] = [];
  failNext?: Error;
  position = 0;

  readonly run: SqlRunner = async <R>(_text: string, parameters: unknown[]): Promise<R[]> => {
    const events = JSON.parse(parameters[0] as string) as SentEvent[];
    const changesets = (JSON.parse(parameters[1] as string) as { id: string }[]).map((changeset) => changeset.id);
    this.statements.push(changesets);
    await new Promise<void>((release) => this.held.push(release));
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const next = new Map(this.versions);
    for (const event of events) {
      const key = `${event.type}/${event.name}`;
      if ((next.get(key) ?? 0) !== event.version - 1) throw Object.assign(new Error('stream moved'), { code: 'ML409' });
      next.set(key, event.version);
    }
    for (const [key, version] of next) this.versions.set(key, version);
    const appended = events.map((event) => ({ ...event, position: ++this.position, hash: `h${this.position}`, recordedAt: 'now' }));
    return [{ events: appended }] as R[];
  };

  /** Lets the oldest held statement finish, then lets the batcher react. */
  async release(): Promise<void> {
    while (this.held.length === 0) await tick();
    this.held.shift()!();
    await tick();
  }

  get waiting(): number {
    return this.held.length;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function event(name: string, version: number): PendingEvent {
  return {
    itemId: `id-${name}`,
    type: 'object',
    name,
    version,
    kind: version === 1 ? 'created' : 'updated',
    patch: [],
    inverse: [],
    snapshot: null,
    document: null,
    prevHash: null,
  };
}

function setUp(limits = { statementsInFlight: 1, eventsPerStatement: 100 }) {
  const log = new FakeLog();
  const batcher = new AppendBatcher(log.run, { text: 'append', notice: { schema: 'public', origin: 'test' } }, limits);
  // handled from the start: the tests look at rejections after the fake log has moved on
  const append = (id: string, ...events: PendingEvent[]) => {
    const appended = batcher.append({ id, source: 'test' }, events);
    appended.catch(() => {});
    return appended;
  };
  return { log, append };
}

describe('AppendBatcher', () => {
  it('sends what arrives while a statement runs as one statement, each changeset getting its own events', async () => {
    const { log, append } = setUp();
    const first = append('c1', event('a', 1));
    await tick();
    const rest = [append('c2', event('b', 1)), append('c3', event('c', 1)), append('c4', event('d', 1))];
    await tick();
    expect(log.statements).toEqual([['c1']]);
    await log.release();
    expect(log.statements).toEqual([['c1'], ['c2', 'c3', 'c4']]);
    await log.release();
    const results = await Promise.all([first, ...rest]);
    expect(results.map((appended) => appended.map((e) => e.name))).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(new Set(results.flat().map((e) => e.position)).size).toBe(4);
  });

  it('keeps a statement within eventsPerStatement and runs statementsInFlight at once', async () => {
    const { log, append } = setUp({ statementsInFlight: 2, eventsPerStatement: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((name, i) => append(`c${i}`, event(name, 1)));
    await tick();
    expect(log.statements).toEqual([['c0'], ['c1']]);
    expect(log.waiting).toBe(2);
    await log.release();
    expect(log.statements[2]).toEqual(['c2', 'c3']);
    while (log.statements.flat().length < 5 || log.waiting > 0) await log.release();
    await Promise.all(all);
    expect(Math.max(...log.statements.map((statement) => statement.length))).toBe(2);
  });

  it('never puts two changesets of one item in a statement, and fails a queued one planned on a replaced version at once', async () => {
    const { log, append } = setUp();
    const first = append('c1', event('a', 1));
    await tick();
    const stale = append('c2', event('a', 1)); // planned on the same head as c1
    const other = append('c3', event('b', 1));
    await tick();
    await log.release();
    await expect(stale).rejects.toMatchObject({ code: 'ML409' });
    expect(log.statements).toEqual([['c1'], ['c3']]);
    await log.release();
    await Promise.all([first, other]);
    expect(log.versions.get('object/a')).toBe(1);
  });

  it('re-sends a failed group one changeset at a time, so only the conflicting one fails', async () => {
    const { log, append } = setUp();
    log.versions.set('object/b', 5); // c3 below is planned on a stale version of b
    const first = append('c1', event('a', 1));
    await tick();
    const group = [append('c2', event('x', 1)), append('c3', event('b', 3)), append('c4', event('y', 1))];
    await log.release();
    expect(log.statements.at(-1)).toEqual(['c3', 'c2', 'c4']); // in item order: b, x, y
    await log.release(); // the grouped statement fails as a whole
    for (let i = 0; i < 3; i++) await log.release();
    const outcomes = await Promise.allSettled(group);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log.statements.slice(-3).sort()).toEqual([['c2'], ['c3'], ['c4']]);
    await first;
  });

  it('fails every changeset of a group whose connection failed: it may have committed, so nothing is re-sent', async () => {
    const { log, append } = setUp();
    const first = append('c1', event('a', 1));
    await tick();
    const group = [append('c2', event('b', 1)), append('c3', event('c', 1))];
    await log.release();
    log.failNext = Object.assign(new Error('socket closed'), { code: 'ECONNRESET' });
    await log.release();
    for (const outcome of await Promise.allSettled(group))
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'ECONNRESET' } });
    expect(log.statements).toHaveLength(2);
    await first;
  });
});
