import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import { packageRoot } from '../package-root.js';

/** Where `npm run build` puts the web audit console (console/ built by Vite). */
export const consoleDirectory = join(packageRoot(), 'dist', 'console');

/**
 * The web audit console at `/`: files built into the package, nothing from elsewhere, so it works
 * offline. Each built file is its own route (no wildcard), so unknown paths stay 404 / 405.
 */
export async function serveConsole(app: FastifyInstance): Promise<void> {
  // the console's files are public: signing in happens in the page
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' };
  });
  if (!existsSync(join(consoleDirectory, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async () => {
      throw new NotFoundError('the web audit console is not built: run npm run build');
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: consoleDirectory,
    wildcard: false,
    index: 'index.html',
    schemaHide: true,
    // the app's own files change with each build; the hashed assets never do
    setHeaders: (response, path) =>
      response.setHeader('cache-control', path.includes(`${join('assets', '')}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
}
