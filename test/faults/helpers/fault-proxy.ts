import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the store and PostgreSQL that can misbehave on demand: hang (stop forwarding while
 * keeping every socket open, like a network partition), cut (drop every connection), or lose the reply to
 * the one statement whose bytes carry a marker (the statement runs and commits on the server; the client
 * never hears back). With no upstream it is a server that accepts and never answers.
 */
export interface FaultProxy {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database>, with extra query parameters if given. */
  url(database: string, query?: string): string;
  /** Stops forwarding in both directions; open and new sockets stay open and silent. */
  hang(): void;
  /** Forwards again (bytes held while hung are dropped, not delivered). */
  resume(): void;
  /** Destroys every open connection (new ones are still accepted). */
  cut(): void;
  /**
   * The next time the client sends bytes containing `marker`, they reach the server, and then the client's
   * connection is destroyed before any reply: the statement's outcome is unknown to the client. With
   * `thenHang`, the proxy hangs at that moment (so a retry cannot get through either).
   */
  loseReplyTo(marker: string, options?: { thenHang?: boolean }): Promise<void>;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream?: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let hung = !upstream;
  let accepted = 0;
  let pendingLoss: { marker: Buffer; thenHang: boolean; hit: () => void } | undefined;

  const server: Server = createServer((client) => {
    accepted++;
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    if (!upstream) return; // accepts, reads, never answers
    const server = connect(upstream.port, upstream.host);
    sockets.add(server);
    server.on('error', () => client.destroy());
    server.on('close', () => {
      sockets.delete(server);
      client.destroy();
    });
    client.on('close', () => server.destroy());
    let replyLost = false;
    client.on('data', (chunk: Buffer) => {
      if (hung && !replyLost) return;
      server.write(chunk);
      if (pendingLoss && chunk.includes(pendingLoss.marker)) {
        const { hit, thenHang } = pendingLoss;
        pendingLoss = undefined;
        replyLost = true;
        if (thenHang) hung = true;
        // let the statement reach the server and finish there before the client loses its connection
        setTimeout(() => {
          client.destroy();
          hit();
        }, 300);
      }
    });
    server.on('data', (chunk: Buffer) => {
      if (!replyLost && !hung) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    url: (database, query) => `postgres://postgres@127.0.0.1:${port}/${database}${query ? `?${query}` : ''}`,
    hang: () => {
      hung = true;
    },
    resume: () => {
      hung = !upstream;
    },
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    loseReplyTo: (marker, options = {}) =>
      new Promise((hit) => {
        pendingLoss = { marker: Buffer.from(marker), thenHang: options.thenHang ?? false, hit };
      }),
    get accepted() {
      return accepted;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
