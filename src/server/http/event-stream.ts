import type { FastifyReply, FastifyRequest } from 'fastify';

/** An open Server-Sent Events response: events with ids, comments as keep-alives, and a close signal. */
export interface EventStream {
  send(event: { id: string; event: string; data: unknown }): boolean;
  comment(text: string): void;
  /** Resolves when the client goes away (or the server closes). */
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
}

/** Takes the response over (headers set so far, CORS included, are kept) and opens an event stream. */
export function openEventStream(request: FastifyRequest, reply: FastifyReply): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let isClosed = false;
  const closed = new Promise<void>((resolve) => {
    const close = () => {
      isClosed = true;
      resolve();
    };
    request.raw.once('close', close);
    raw.once('close', close);
  });
  // a retry hint first: browsers reconnect after it with Last-Event-ID
  raw.write('retry: 2000\n\n');
  return {
    send: ({ id, event, data }) => raw.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    comment: (text) => void raw.write(`: ${text}\n\n`),
    closed,
    get isClosed() {
      return isClosed;
    },
  };
}
