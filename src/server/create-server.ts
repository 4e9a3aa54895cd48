import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import { MetadataDriver } from '../driver/metadata-driver.js';
import { MetaledgerError, ValidationError } from '../errors.js';
import { DatabaseLoader } from '../loaders/database/database-loader.js';
import type { MetadataService } from '../service/metadata-service.js';
import { anonymous, type Principal } from '../service/principal.js';
import { databaseRefusalLog } from '../service/refusal-log.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { parseInput } from '../input/parse-input.js';
import { apiPrefix, type Api, type ApiContext } from './api.js';
import { createAuthenticator, type Authenticator } from './auth/authenticator.js';
import { serveConsole } from './console-assets.js';
import { installProblemReplies } from './http/problem-replies.js';
import { installRequestParsing, parseQueryString } from './http/request-parsing.js';
import { jsonSerializerCompiler, openApiTransform, zodValidatorCompiler, type ZodTypeProvider } from './http/zod-schemas.js';
import { capabilities, metaRoutes } from './routes/index.js';
import { AuthConfigSchema, CorsConfigSchema, type AuthConfigInput, type CorsConfigInput } from './server-config.js';

/** What the HTTP API serves (a service and its store), and how it authenticates and limits requests. */
export interface MetadataServerOptions {
  /** The service every record route goes through (access rules, overlays). */
  service: MetadataService;
  /** The store whose history the API serves; default: the store behind the service's database loader. */
  store?: MetadataStore;
  /**
   * Replaces the built-in authentication: every request acts as this principal, or as the one your own
   * authentication derives from the request. Without it, `auth` decides.
   */
  principal?: Principal | ((request: IncomingMessage) => Principal | Promise<Principal>);
  /** API keys, JWT verification and anonymous reads (see docs/http.md). */
  auth?: AuthConfigInput;
  /** Browser origins allowed to call the API (none by default). */
  cors?: CorsConfigInput;
  /** Largest request body accepted, in bytes (413 beyond it); default 1 MiB. */
  maxBodyBytes?: number;
  /** A request whose headers and body have not arrived in this time gets 408; default 30 s. */
  requestTimeoutMs?: number;
  /** Serve the web audit console at `/` (default true). */
  console?: boolean;
  /** Where `auth.jwt.secretEnv` is read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Unexpected failures (answered 500 without details); by default they go to stderr. */
  onInternalError?: (error: unknown) => void;
}

/** The server createMetadataServer builds: a Fastify instance, not yet listening. */
export type MetadataServer = Api;

const correlationIdPattern = /^[\x21-\x7e]{1,200}$/;

function storeOf(options: MetadataServerOptions): MetadataStore {
  if (options.store) return options.store;
  const database = options.service.loaders.find((loader): loader is DatabaseLoader => loader instanceof DatabaseLoader);
  if (!database)
    throw new ValidationError([{ path: 'store', message: 'give the store: the service has no database loader' }], 'invalid server options');
  return database.store;
}

/** Who the request acts as: the library user's principal, else the credentials, else anonymous. */
function principalResolver(options: MetadataServerOptions, authenticator: () => Authenticator) {
  const given = options.principal;
  return async (request: IncomingMessage): Promise<{ principal: Principal; authenticated: boolean }> => {
    if (given !== undefined) return { principal: typeof given === 'function' ? await given(request) : given, authenticated: true };
    const principal = await authenticator()(request.headers.authorization);
    return principal ? { principal, authenticated: true } : { principal: anonymous, authenticated: false };
  };
}

/**
 * The HTTP API over a service and its store, under /api/v1: records, query, bulk, history, the change
 * feed (paged and live as Server-Sent Events), time travel, diff, blame, rollback, restore, verify,
 * export / import and projections, with authentication, access control per principal, problem+json
 * errors, an OpenAPI 3.1 document generated from the zod schemas at /openapi.json, /healthz, /readyz
 * and the web audit console at `/`. Listen with `listenMetadataServer`.
 */
export function createMetadataServer(options: MetadataServerOptions): MetadataServer {
  const store = storeOf(options);
  const auth = parseInput(AuthConfigSchema, options.auth ?? {}, 'server auth settings');
  const corsSettings = parseInput(CorsConfigSchema, options.cors ?? {}, 'server CORS settings');
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes ?? 1024 * 1024,
    requestTimeout,
    forceCloseConnections: true,
    genReqId: () => randomUUID(),
    routerOptions: { querystringParser: parseQueryString, ignoreTrailingSlash: false },
    // Node checks request timeouts on an interval: a short one makes slow bodies end near the limit
    serverFactory: (handler) =>
      createServer(
        { requestTimeout, headersTimeout: Math.min(requestTimeout, 60_000), connectionsCheckingInterval: Math.min(1000, requestTimeout) },
        handler,
      ),
  }).withTypeProvider<ZodTypeProvider>() as unknown as Api;

  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(jsonSerializerCompiler);
  installProblemReplies(app as never, options.onInternalError ?? ((error) => console.error('metaledger HTTP request failed:', error)));
  installRequestParsing(app as never);

  let authenticator: Authenticator | undefined;
  const resolvePrincipal = principalResolver(options, () => authenticator!);
  const context: ApiContext = {
    store,
    service: options.service,
    driver: new MetadataDriver(store),
    refusals: databaseRefusalLog(store.db),
  };

  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('authenticated', false);
  app.decorateRequest('correlationId', '');
  app.register(async () => {
    authenticator = await createAuthenticator(auth, options.env ?? process.env);
  });
  app.register(cors, {
    origin: corsSettings.origins.includes('*') ? '*' : corsSettings.origins,
    credentials: corsSettings.credentials,
    maxAge: corsSettings.maxAgeSeconds,
    allowedHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match', 'last-event-id', 'x-correlation-id'],
    exposedHeaders: ['etag', 'location', 'x-correlation-id'],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
  });
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'metaledger HTTP API', version: '1', description: 'Generated from the zod schemas of the routes; see docs/http.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key or a JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: openApiTransform as never,
  });

  app.addHook('onRequest', async (request, reply) => {
    const given = request.headers['x-correlation-id'];
    if (given !== undefined && (typeof given !== 'string' || !correlationIdPattern.test(given)))
      throw new ValidationError([{ path: 'X-Correlation-Id', message: 'must be 1 to 200 printable ASCII characters' }], 'invalid header');
    request.correlationId = given ?? request.id;
    reply.header('x-correlation-id', request.correlationId);
    const access = request.routeOptions.config.access ?? 'read';
    if (access === 'public' || request.is404 || request.method === 'OPTIONS') return;
    const { principal, authenticated } = await resolvePrincipal(request.raw);
    request.principal = principal;
    request.authenticated = authenticated;
    if (authenticated) return;
    if (access === 'write')
      throw new MetaledgerError('UNAUTHENTICATED', 'changes need credentials: send Authorization: Bearer <API key or token>');
    if (!auth.anonymousReads)
      throw new MetaledgerError('UNAUTHENTICATED', 'send Authorization: Bearer <API key or token> (this server allows no anonymous reads)');
  });

  app.register(async (meta) => metaRoutes.register(meta as Api, context));
  app.register(
    async (api) => {
      for (const capability of capabilities) capability.register(api as Api, context);
    },
    { prefix: apiPrefix },
  );
  if (options.console !== false) app.register(serveConsole);
  return app;
}

/** Starts the server; 127.0.0.1 unless a host is given (port 0 picks a free port). */
export async function listenMetadataServer(
  server: MetadataServer,
  port = 0,
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  await server.listen({ port, host });
  const address = server.server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () => server.close(),
  };
}
