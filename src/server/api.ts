import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { MetadataDriver } from '../driver/metadata-driver.js';
import type { MetadataService } from '../service/metadata-service.js';
import type { Principal } from '../service/principal.js';
import type { RefusalLog } from '../service/refusal-log.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { ZodTypeProvider } from './http/zod-schemas.js';

/** Who may call a route: anyone (health, the OpenAPI document, the console), readers, or writers. */
export type RouteAccess = 'public' | 'read' | 'write';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as: an authenticated principal, or `anonymous`. */
    principal: Principal;
    /** Whether credentials named the principal (anonymous requests are not). */
    authenticated: boolean;
    /** X-Correlation-Id, or the request id: recorded with changes and refusals. */
    correlationId: string;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The Fastify instance the routes are registered on, with zod schemas typing requests. */
export type Api = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** What route handlers work with. */
export interface ApiContext {
  store: MetadataStore;
  service: MetadataService;
  driver: MetadataDriver;
  /** Where refused history reads and writes are recorded (the service records its own). */
  refusals: RefusalLog;
}

/**
 * One capability of the HTTP API: a file under routes/ that registers its routes. Adding a capability
 * is one such file and one line in routes/index.ts.
 */
export interface Capability {
  register(api: Api, context: ApiContext): void;
}

/** The versioned prefix of every API route. */
export const apiPrefix = '/api/v1';
