import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotFoundError, ValidationError } from '../errors.js';
import { toErrorBody } from '../loaders/http/error-body.js';
import { MetadataConflictStrategySchema, type MetadataRecordInput } from '../protocol/index.js';
import type { MetadataService } from '../service/metadata-service.js';
import type { Principal } from '../service/principal.js';
import { showValue } from '../input/canonical-text.js';
import { parseInput } from '../store/parse-input.js';
import { readJsonBody, sendEmpty, sendJson } from './http-io.js';

export interface MetadataServerOptions {
  service: MetadataService;
  /**
   * Who requests act as: one principal, or one derived from the request by your own authentication.
   * Default: the service's principal.
   */
  principal?: Principal | ((request: IncomingMessage) => Principal | Promise<Principal>);
  /** Largest request body accepted; default 1 MiB. */
  maxBodyBytes?: number;
}

interface Route {
  type: string;
  name?: string;
  query: URLSearchParams;
}

const flag = (query: URLSearchParams, name: string) => ['1', 'true'].includes(query.get(name) ?? '');

function parseRoute(request: IncomingMessage): Route {
  const url = new URL(request.url ?? '/', 'http://localhost');
  let parts: string[];
  try {
    parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new ValidationError([{ path: 'url', message: `${url.pathname} is not a valid percent-encoded path` }], 'invalid URL');
  }
  if (parts[0] !== 'metadata' || parts.length < 2 || parts.length > 3)
    throw new NotFoundError(`no route ${url.pathname}; use /metadata/:type or /metadata/:type/:name`);
  return { type: parts[1], name: parts[2], query: url.searchParams };
}

/** If-Match → the etag the write expects; If-None-Match: * → the item must not exist yet. */
function expectedEtagOf(request: IncomingMessage): string | null | undefined {
  if (request.headers['if-none-match'] === '*') return null;
  return request.headers['if-match'];
}

async function handle(options: MetadataServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { service } = options;
  const route = parseRoute(request);
  const principal = typeof options.principal === 'function' ? await options.principal(request) : options.principal;
  const correlationId = typeof request.headers['x-correlation-id'] === 'string' ? request.headers['x-correlation-id'] : undefined;
  const { type, name, query } = route;
  if (name === undefined) {
    if (request.method !== 'GET') return notAllowed(response, 'GET');
    const filters = Object.fromEntries(
      ['namespace', 'scope', 'state', 'owner'].filter((field) => query.has(field)).map((field) => [field, query.get(field)]),
    );
    const limit = query.has('limit') ? Number(query.get('limit')) : undefined;
    const items = await service.list(type, { principal, correlationId, filters, limit, loader: query.get('loader') ?? undefined });
    return sendJson(response, 200, { items });
  }
  if (request.method === 'GET') {
    const item = await service.get(type, name, {
      principal,
      correlationId,
      raw: flag(query, 'raw'),
      explain: flag(query, 'explain'),
      owner: query.get('owner') ?? undefined,
      loader: query.get('loader') ?? undefined,
    });
    if (!item) throw new NotFoundError(`${type}/${name} does not exist`);
    const { etag, ...record } = item;
    if (request.headers['if-none-match'] === etag) return sendEmpty(response, 304, { etag });
    return sendJson(response, 200, record, { etag });
  }
  if (request.method === 'PUT') {
    const body = await readJsonBody(request, options.maxBodyBytes ?? 1024 * 1024);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new ValidationError([{ path: 'body', message: 'must be a record object' }], 'invalid record');
    const given = body as Record<string, unknown>;
    if (given.name !== undefined && given.name !== name)
      throw new ValidationError(
        [{ path: 'name', message: `the body says ${showValue(given.name)} but the URL says ${showValue(name)}` }],
        'invalid record',
      );
    const onConflict = query.has('onConflict')
      ? parseInput(MetadataConflictStrategySchema, query.get('onConflict'), 'onConflict')
      : undefined;
    const result = await service.register(type, { ...given, name } as Omit<MetadataRecordInput, 'type'>, {
      principal,
      correlationId,
      onConflict,
      expectedEtag: expectedEtagOf(request),
    });
    return sendJson(response, result.created ? 201 : 200, result, { etag: result.etag });
  }
  if (request.method === 'DELETE') {
    const result = await service.unregister(type, name, { principal, correlationId, expectedEtag: expectedEtagOf(request) ?? undefined });
    return sendJson(response, 200, result);
  }
  return notAllowed(response, 'GET, PUT, DELETE');
}

function notAllowed(response: ServerResponse, allow: string): void {
  sendJson(response, 405, { error: { code: 'VALIDATION', message: `allowed methods: ${allow}` } }, { allow });
}

/**
 * A thin HTTP API over a MetadataService (what the `http:` loader reads): GET / PUT / DELETE
 * /metadata/:type/:name and GET /metadata/:type, with ETag, If-None-Match and If-Match. Access control is
 * the service's; system items cannot be changed over HTTP at all.
 */
export function createMetadataServer(options: MetadataServerOptions): Server {
  return createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      const { status, body } = toErrorBody(error);
      // a failed precondition (If-Match / If-None-Match) is 412, not a plain conflict
      const precondition = status === 409 && (request.headers['if-match'] !== undefined || request.headers['if-none-match'] === '*');
      if (!response.headersSent) sendJson(response, precondition ? 412 : status, body);
      else response.destroy();
    });
  });
}

/** Starts the server; 127.0.0.1 unless a host is given (port 0 picks a free port). */
export async function listenMetadataServer(server: Server, port = 0, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
