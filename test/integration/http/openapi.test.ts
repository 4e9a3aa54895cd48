import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataServer } from '../../../src/server/create-server.js';
import { createMetadataService } from '../../../src/service/create-service.js';
import { startTestServer, type TestServer } from '../../helpers/http-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('http_openapi');
});
afterAll(async () => server?.close());

/** `/api/v1/records/:type` as OpenAPI writes paths: `/api/v1/records/{type}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('the generated OpenAPI document', () => {
  it('is served at /openapi.json without credentials and validates as OpenAPI 3.1', async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every route the server answers, with its methods', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    // the routes as the framework registered them, seen from a second server built the same way
    const routes: { method: string; url: string }[] = [];
    const probe = createMetadataServer({ service: createMetadataService({ store: server.store }), store: server.store, console: false });
    probe.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method: method.toLowerCase(), url: route.url });
    });
    await probe.ready();
    await probe.close();
    const answered = routes.filter((route) => !['head', 'options'].includes(route.method));
    expect(answered.length).toBeGreaterThan(20);
    const missing = answered.filter((route) => document.paths[openApiPath(route.url)]?.[route.method] === undefined);
    expect(missing).toEqual([]);
    // and nothing documented that the server does not answer
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(answered.map((route) => `${route.method} ${openApiPath(route.url)}`).sort());
  });

  it('describes request bodies and parameters from the zod schemas', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; in: string }[];
            requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
          }
        >
      >;
    };
    const put = document.paths['/api/v1/records/{type}/{name}'].put;
    expect(put.parameters?.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(
      expect.arrayContaining(['path:type', 'path:name', 'query:onConflict']),
    );
    expect(Object.keys(put.requestBody!.content['application/json'].schema.properties!)).toEqual(
      expect.arrayContaining(['metadata', 'scope', 'namespace']),
    );
    const query = document.paths['/api/v1/query'].post;
    expect(Object.keys(query.requestBody!.content['application/json'].schema.properties!)).toEqual(
      expect.arrayContaining(['filters', 'sort', 'pagination', 'select']),
    );
  });
});
