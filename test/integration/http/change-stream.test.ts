import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTransactionElsewhere } from '../../helpers/open-transaction.js';
import { backend } from '../../helpers/test-store.js';
import { startTestServer, type Person, type TestServer } from '../../helpers/http-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('http_stream');
});
afterAll(async () => server?.close());

interface StreamEvent {
  id: string;
  event: string;
  data: { name: string; version: number; actor: string | null; cursor: string };
}

/** Reads Server-Sent Events from a fetch body until `count` change events came (or the stream ends). */
async function readEvents(response: Response, count: number): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((line) => /^[a-z]+: /.test(line))
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      if (fields.event) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
    }
  }
  await reader.cancel();
  return events;
}

function openStream(as: Person | 'anonymous', query = '', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/v1/changes/stream${query}`, { headers: { ...server.as(as), ...headers } });
}

describe('the live change feed (Server-Sent Events)', () => {
  it('delivers new changes live, and resumes from Last-Event-ID without missing or repeating one', async () => {
    await server.store.save('object', { name: 'before', metadata: {} }, { actor: 'root' });
    const live = await openStream('alice');
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = readEvents(live, 2);
    await server.store.save('object', { name: 'a', metadata: { n: 1 } }, { actor: 'root', reason: 'live one' });
    await server.store.save('object', { name: 'a', metadata: { n: 2 } }, { actor: 'bob' });
    const first = await reading;
    expect(first.map((event) => `${event.data.name}@${event.data.version} by ${event.data.actor}`)).toEqual(['a@1 by root', 'a@2 by bob']);
    expect(first.every((event) => event.id === event.data.cursor && event.event === 'change')).toBe(true);

    // the client is gone while three more changes happen, one of them bob's own user item
    await server.store.save('object', { name: 'b', metadata: {} }, { actor: 'root' });
    await server.store.save('object', { name: 'bobs', scope: 'user', owner: 'bob', metadata: {} }, { actor: 'bob' });
    await server.store.save('object', { name: 'a', metadata: { n: 3 } }, { actor: 'root' });
    const resumed = await readEvents(await openStream('alice', '', { 'last-event-id': first[1].id }), 2);
    expect(resumed.map((event) => `${event.data.name}@${event.data.version}`)).toEqual(['b@1', 'a@3']);

    // the owner sees his item in the same stretch; from=start replays everything
    const asBob = await readEvents(await openStream('bob', `?after=${encodeURIComponent(first[1].id)}`), 3);
    expect(asBob.map((event) => event.data.name)).toEqual(['b', 'bobs', 'a']);
    const replay = await readEvents(await openStream('root', '?from=start&types=object'), 1);
    expect(replay[0].data.name).toBe('before');
  });

  // PGlite has one connection: no other transaction can be open while the server writes and streams
  it.skipIf(backend === 'pglite')(
    'a stream from now leaves out what committed before it opened, though another transaction holds the log back',
    async () => {
      const blocker = await openTransactionElsewhere();
      try {
        await server.store.save('object', { name: 'held-before', metadata: {} }, { actor: 'root' });
        const reading = readEvents(await openStream('root', '?types=object'), 2);
        await server.store.save('object', { name: 'held-after', metadata: {} }, { actor: 'root' });
        await blocker.commit();
        await server.store.save('object', { name: 'held-last', metadata: {} }, { actor: 'root' });
        expect((await reading).map((event) => event.data.name)).toEqual(['held-after', 'held-last']);
      } finally {
        await blocker.end();
      }
    },
  );

  it('filters by actor and refuses a bad cursor before the stream opens', async () => {
    const live = await openStream('root', '?actor=bob');
    const reading = readEvents(live, 1);
    await server.store.save('object', { name: 'c', metadata: {} }, { actor: 'root' });
    await server.store.save('object', { name: 'd', metadata: {} }, { actor: 'bob' });
    expect((await reading).map((event) => event.data.name)).toEqual(['d']);
    const bad = await openStream('root', '', { 'last-event-id': 'not-a-cursor' });
    expect(bad.status).toBe(400);
    const anonymous = await openStream('anonymous');
    expect(anonymous.status).toBe(200);
    await anonymous.body?.cancel();
  });
});
