import { once } from 'node:events';
import { createMetadataServer, listenMetadataServer } from '../../server/create-server.js';
import { createMetadataService } from '../../service/create-service.js';
import { integerOption, stringOption } from '../arguments.js';
import type { Command } from '../command.js';
import { principalOption, principalOptionHelp } from '../principal-option.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the HTTP API the http: loader reads (GET/PUT/DELETE /metadata/:type/:name) until interrupted',
  usage: `[--port n] [--host h] [--system-dir dir] [${principalOptionHelp}]`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'system-dir': { type: 'string' },
    as: { type: 'string' },
  },
  async run(context, args) {
    const service = createMetadataService({
      store: await context.store(),
      systemDir: stringOption(args, 'system-dir'),
      principal: principalOption(args),
      source: 'http',
    });
    const server = await listenMetadataServer(
      createMetadataServer({ service }),
      integerOption(args, 'port') ?? 7070,
      stringOption(args, 'host') ?? '127.0.0.1',
    );
    context.report({ url: server.url }, () => `serving ${server.url} (Ctrl-C to stop)`);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    await server.close();
  },
};
