import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { changes, changesStart } from '../../history/changes.js';
import { ChangesOptionsSchema } from '../../input/call-options.js';
import { parseInput } from '../../input/parse-input.js';
import type { Capability } from '../api.js';
import { mayReadEvent } from '../access/authorize.js';
import { openEventStream } from '../http/event-stream.js';
import { problemFor } from '../http/problem-replies.js';
import { problems, QueryDateTimeSchema, QueryIntegerSchema, QueryListSchema } from '../http/schemas.js';

const cursorSchema = z.string().regex(/^\d+:\d+$/, 'must be a cursor from an earlier page or event');

const filterFields = {
  since: QueryDateTimeSchema.optional(),
  until: QueryDateTimeSchema.optional(),
  actor: z.string().min(1).optional(),
  types: QueryListSchema.optional(),
  namespace: z.string().min(1).optional(),
  changeset: z.string().uuid().optional(),
};

const ChangesQuerySchema = z
  .object({
    ...filterFields,
    limit: QueryIntegerSchema.optional(),
    after: cursorSchema.optional().describe('the nextCursor of the previous page'),
  })
  .strict();

const StreamQuerySchema = z
  .object({
    ...filterFields,
    after: cursorSchema.optional().describe('resume after this cursor (the Last-Event-ID header takes precedence)'),
    from: z.enum(['start', 'end']).default('end').describe('where a stream without a cursor starts'),
  })
  .strict();

/** How long an idle stream waits before it looks again and sends a keep-alive comment. */
const idleMs = 15_000;

/**
 * The store-wide audit feed in commit order: paged with a cursor, and live as Server-Sent Events whose
 * ids are cursors, so a client resumes with Last-Event-ID without missing or repeating an event.
 * Events the principal may not read are left out.
 */
export const changesCapability: Capability = {
  register(api, context) {
    const { store } = context;
    api.get(
      '/changes',
      {
        schema: { summary: 'The change feed, one page', tags: ['history'], querystring: ChangesQuerySchema, response: problems(400, 401) },
      },
      async (request) => {
        const page = await store.changes(request.query);
        return { ...page, events: page.events.filter((event) => mayReadEvent(request.principal, event)) };
      },
    );

    api.get(
      '/changes/stream',
      {
        schema: {
          summary: 'The change feed live, as Server-Sent Events (event: change; id: cursor); resumes from Last-Event-ID',
          tags: ['history'],
          querystring: StreamQuerySchema,
          headers: z.object({ 'last-event-id': cursorSchema.optional() }).passthrough(),
          response: {
            200: { description: 'text/event-stream of change events', content: { 'text/event-stream': { schema: { type: 'string' } } } },
            ...problems(400, 401),
          },
        },
      },
      async (request, reply) => {
        const { from, after, ...filters } = request.query;
        let wake: () => void = () => {};
        // the watch only wakes the loop: the feed read below carries who / why and the cursors
        const watch = await store.watch({ types: filters.types, namespace: filters.namespace, from: 'end' }, () => wake());
        // from now: what committed before this call is left out, even below the cursor's start
        const start =
          (request.headers['last-event-id'] ?? after) === undefined && from === 'end' ? await changesStart(store.db) : undefined;
        let cursor = request.headers['last-event-id'] ?? after ?? start?.after;
        const stream = openEventStream(request, reply);
        try {
          while (!stream.isClosed) {
            const woken = new Promise<void>((resolve) => (wake = resolve));
            const options = parseInput(ChangesOptionsSchema, { ...filters, after: cursor, limit: 200 }, 'changes options');
            const page = await changes(store.db, options, start?.committedBefore);
            for (const event of page.events)
              if (mayReadEvent(request.principal, event)) stream.send({ id: event.cursor, event: 'change', data: event });
            cursor = page.nextCursor ?? cursor;
            if (page.hasMore) continue;
            const idle = sleep(idleMs, 'idle', { ref: false });
            if ((await Promise.race([woken.then(() => 'woken'), idle, stream.closed.then(() => 'closed')])) === 'idle')
              stream.comment('keep-alive');
          }
        } catch (error) {
          // the status line is gone: the problem travels as an event, then the stream ends (the client resumes)
          if (!stream.isClosed) stream.send({ id: cursor ?? '', event: 'error', data: problemFor(error, request) });
        } finally {
          await watch.close();
          reply.raw.end();
        }
      },
    );
  },
};
