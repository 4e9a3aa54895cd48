import { z } from 'zod';

/** A principal id as `parsePrincipal` takes it: no whitespace, ':' or ','. */
const PrincipalIdSchema = z
  .string()
  .regex(/^[^\s:,]+$/, 'must be an id without whitespace, ":" or ","')
  .max(255);

/** One API key: only its SHA-256 hash is kept, mapped to the principal it authenticates. */
export const ApiKeyEntrySchema = z
  .object({
    /** `sha256:<64 hex digits>` of the whole key (`metaledger serve --new-key` prints one). */
    hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lowercase hex digits>'),
    /** The principal id the key authenticates. */
    principal: PrincipalIdSchema,
    /** The principal's roles (`admin` changes platform items); default none. */
    roles: z.array(z.string().min(1).max(100)).default([]),
    /** What the key is for, shown nowhere but the config. */
    label: z.string().max(255).optional(),
  })
  .strict();

/** JWT bearer tokens from an identity provider, verified with `jose` against a JWKS or a key. */
export const JwtConfigSchema = z
  .object({
    /** Where the provider publishes its signing keys (fetched and cached by `jose`). */
    jwksUrl: z.string().url().optional(),
    /** A shared HMAC secret (HS256/384/512), at least 32 characters. Prefer `secretEnv`. */
    secret: z.string().min(32, 'must be at least 32 characters').optional(),
    /** The name of an environment variable holding the shared secret. */
    secretEnv: z.string().min(1).optional(),
    /** A PEM public key (SPKI) for RS/PS/ES/EdDSA tokens. */
    publicKey: z.string().min(1).optional(),
    /** The `iss` a token must carry; default any. */
    issuer: z.string().min(1).optional(),
    /** The `aud` a token must carry; default any. */
    audience: z.string().min(1).optional(),
    /** The signing algorithms accepted; needed with `publicKey`, default HS256/384/512 with a secret. */
    algorithms: z.array(z.string().min(1)).nonempty().optional(),
    /** The claim naming the principal (default `sub`). */
    principalClaim: z.string().min(1).default('sub'),
    /** The claim holding the roles, a dotted path (e.g. `realm_access.roles`); an array or a space-separated string. */
    rolesClaim: z.string().min(1).default('roles'),
    /** Clock skew allowed when checking a token's times, in seconds (default 30). */
    clockToleranceSeconds: z.number().int().min(0).max(600).default(30),
  })
  .strict()
  .refine((jwt) => [jwt.jwksUrl, jwt.secret, jwt.secretEnv, jwt.publicKey].filter(Boolean).length === 1, {
    message: 'give exactly one of jwksUrl, secret, secretEnv or publicKey',
    path: ['jwksUrl'],
  });

/** How the HTTP API authenticates: API keys (stored as hashes), a JWT verifier, and whether anonymous reads are allowed. */
export const AuthConfigSchema = z
  .object({
    /** The API keys accepted, as hashes; default none. */
    apiKeys: z.array(ApiKeyEntrySchema).default([]),
    /** Accept JWT bearer tokens verified this way; default none. */
    jwt: JwtConfigSchema.optional(),
    /** Requests without credentials read shared (system and platform) items as `anonymous`; off by default. */
    anonymousReads: z.boolean().default(false),
  })
  .strict();

/** Which browser origins may call the HTTP API, and whether with credentials. */
export const CorsConfigSchema = z
  .object({
    /** Origins allowed to call the API from a browser, e.g. `https://studio.example.com`; `*` allows any (never with credentials). */
    origins: z.array(z.string().min(1)).default([]),
    /** Browsers may send credentials (cookies, Authorization) with cross-origin calls (default false). */
    credentials: z.boolean().default(false),
    /** How long a browser may cache a preflight answer, in seconds (default 600). */
    maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
  })
  .strict()
  .refine((cors) => !(cors.credentials && cors.origins.includes('*')), {
    message: "credentials cannot be allowed for origin '*'",
    path: ['credentials'],
  });

/**
 * The server's settings: the `server` key of `metaledger.config.json`, overridden by the environment
 * (`METALEDGER_API_KEYS`, `METALEDGER_JWT_SECRET`) and by `metaledger serve` flags.
 */
export const ServerConfigSchema = z
  .object({
    /** The port to listen on (default 7070; 0 picks a free one). */
    port: z.number().int().min(0).max(65_535).default(7070),
    /** The address to listen on (default `127.0.0.1`, this machine only). */
    host: z.string().min(1).default('127.0.0.1'),
    /** Largest request body accepted, in bytes (413 beyond it). */
    maxBodyBytes: z
      .number()
      .int()
      .min(1)
      .max(1024 ** 3)
      .default(1024 * 1024),
    /** A request whose headers and body have not arrived in this time gets 408. */
    requestTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** How requests authenticate: API keys, JWTs, anonymous reads. */
    auth: AuthConfigSchema.default({}),
    /** Which browser origins may call the API; default none. */
    cors: CorsConfigSchema.default({}),
    /** Serve the web audit console at `/`. */
    console: z.boolean().default(true),
    /** Directory of system items as files (instead of the database). */
    systemDir: z.string().min(1).optional(),
  })
  .strict();

export type ApiKeyEntry = z.infer<typeof ApiKeyEntrySchema>;
export type JwtConfig = z.infer<typeof JwtConfigSchema>;
export type AuthConfig = z.infer<typeof AuthConfigSchema>;
export type AuthConfigInput = z.input<typeof AuthConfigSchema>;
export type CorsConfig = z.infer<typeof CorsConfigSchema>;
export type CorsConfigInput = z.input<typeof CorsConfigSchema>;
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;
