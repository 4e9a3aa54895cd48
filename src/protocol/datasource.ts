import { z } from 'zod';
import { quoteForMessage, SQL_IDENTIFIER_MAX_LENGTH } from './identifier.js';

/** What a datasource name looks like: a lower-case SQL identifier. */
export const DATASOURCE_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;

/** Name of a datasource, and of every reference to one (loader / driver / load / save options). */
export const DatasourceNameSchema = z
  .string({ invalid_type_error: 'datasource name must be a string' })
  .max(SQL_IDENTIFIER_MAX_LENGTH, {
    message: `must be at most ${SQL_IDENTIFIER_MAX_LENGTH} characters`,
  })
  .refine(
    (value) => DATASOURCE_NAME_PATTERN.test(value),
    (value) => ({
      message: `${quoteForMessage(value)} must be a lowercase identifier: lowercase letters, digits, underscore, not starting with a digit`,
    }),
  );

/** Only the drivers this library implements; the spec's MySQL / MongoDB mentions are out of scope. */
export const DATASOURCE_DRIVERS = ['postgres', 'pglite'] as const;

/** The database drivers a datasource may name: postgres, or pglite (embedded). */
export const DatasourceDriverSchema = z.enum(DATASOURCE_DRIVERS, {
  errorMap: (issue, ctx) =>
    issue.code === 'invalid_enum_value'
      ? {
          message: `unsupported driver ${JSON.stringify(issue.received)}: metaledger implements only ${DATASOURCE_DRIVERS.map((d) => `'${d}'`).join(' and ')}`,
        }
      : { message: ctx.defaultError },
});

/** libpq's sslmode values, as `config.sslMode` or `?sslmode=` give them. */
export const SslModeSchema = z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);

/** TLS options handed to node-postgres; the doc is silent, so the commonly used ones are listed (strict, to catch typos). */
export const DatasourceSslOptionsSchema = z
  .object({
    /** false accepts a server certificate that no trusted CA signed; `sslMode` `verify-ca` / `verify-full` refuse false. */
    rejectUnauthorized: z.boolean().optional(),
    /** The CA certificate(s) to trust, PEM. */
    ca: z.string().optional(),
    /** The client certificate, PEM (certificate authentication). */
    cert: z.string().optional(),
    /** The client certificate's private key, PEM. */
    key: z.string().optional(),
    /** The passphrase of `key`, when it is encrypted. */
    passphrase: z.string().optional(),
    /** The server name sent for SNI and checked against the certificate, when it is not the host. */
    servername: z.string().optional(),
  })
  .strict();

/** A datasource's connection settings: a URL or host, port, database and user; TLS; the PGlite data directory. */
export const DatasourceConnectionConfigSchema = z
  .object({
    /** postgres only: the server's host name or address. */
    host: z.string().min(1).optional(),
    /** postgres only: the server's port. */
    port: z.number().int().min(1).max(65535).optional(),
    /** postgres only: the database to connect to. */
    database: z.string().min(1).optional(),
    /** postgres only: the user to connect as. */
    user: z.string().min(1).optional(),
    /** postgres only: the user's password (kept out of error messages). */
    password: z.string().optional(),
    /** postgres only: a `postgres://user:password@host:5432/database` URL, in place of the fields above. */
    connectionString: z.string().min(1).optional(),
    /** pglite only: directory (or 'memory://') holding the embedded database; left out, the database lives in memory. */
    dataDir: z.string().min(1).optional(),
    /** postgres only: true for TLS with node-postgres's defaults, or the TLS options; pglite refuses it. */
    ssl: z.union([z.boolean(), DatasourceSslOptionsSchema]).optional(),
    /** postgres only (pglite refuses it): libpq's sslmode, `disable`, `require`, `verify-ca` or `verify-full`; `allow` and `prefer` are refused. */
    sslMode: SslModeSchema.optional(),
  })
  .strict();

/** The pool's fields, before the check that ties them together. */
export const DatasourcePoolFieldsSchema = z.object({
  // 0 idle connections by default: a metadata store is mostly idle, so holding none is the cheap choice.
  /** Connections kept open even when idle (default 0); postgres only. */
  min: z.number().int().min(0).default(0),
  /** Most connections open at once (default 10); postgres only. */
  max: z.number().int().min(1).default(10),
  /** How long an idle connection stays open before it is closed, in milliseconds; postgres only. */
  idleTimeoutMillis: z.number().int().min(0).optional(),
});

/** min ≤ max, said on `min`. */
export const poolBoundsInOrder = <Input>(pool: z.ZodType<{ min: number; max: number; idleTimeoutMillis?: number }, z.ZodTypeDef, Input>) =>
  pool.refine((bounds) => bounds.min <= bounds.max, { message: 'pool.min must not be greater than pool.max', path: ['min'] });

/** Connection pool bounds of a datasource. */
export const DatasourcePoolSchema = poolBoundsInOrder(DatasourcePoolFieldsSchema);

/** The protocol's Datasource: a named database connection (driver, connection config, pool). */
export const DatasourceSchema = z.object({
  /** The datasource's name, a lowercase SQL identifier: loader contracts and the `datasource` option refer to it. */
  name: DatasourceNameSchema,
  // The doc's "Encryption" example omits the driver; PostgreSQL is the primary backend.
  /** `postgres` (default) or `pglite`, the embedded database. */
  driver: DatasourceDriverSchema.default('postgres'),
  // pglite can run with no settings at all (in-memory), so an absent config means "driver defaults".
  /** How to connect: host, port, database, user, TLS for postgres; the data directory for pglite. Default none. */
  config: DatasourceConnectionConfigSchema.default({}),
  // Defaulted so callers always see concrete pool bounds.
  /** Connection pool bounds (postgres only); default 0 to 10 connections. */
  pool: DatasourcePoolSchema.default({}),
  /** false: the datasource is not opened (DATASOURCE_UNAVAILABLE). Default true. */
  active: z.boolean().default(true),
});

export type DatasourceName = z.infer<typeof DatasourceNameSchema>;
export type DatasourceDriver = z.infer<typeof DatasourceDriverSchema>;
export type SslMode = z.infer<typeof SslModeSchema>;
export type DatasourceSslOptions = z.infer<typeof DatasourceSslOptionsSchema>;
export type DatasourceConnectionConfig = z.infer<typeof DatasourceConnectionConfigSchema>;
export type DatasourcePool = z.infer<typeof DatasourcePoolSchema>;
export type DatasourcePoolInput = z.input<typeof DatasourcePoolSchema>;
export type Datasource = z.infer<typeof DatasourceSchema>;
export type DatasourceInput = z.input<typeof DatasourceSchema>;
