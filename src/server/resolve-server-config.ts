import { ValidationError } from '../errors.js';
import { parseInput } from '../input/parse-input.js';
import { ApiKeyEntrySchema, ServerConfigSchema, type ServerConfig, type ServerConfigInput } from './server-config.js';
import { z } from 'zod';

/** The environment variable holding API keys as a JSON array of `{ hash, principal, roles }`. */
export const apiKeysVariable = 'METALEDGER_API_KEYS';

function keysFromEnvironment(env: NodeJS.ProcessEnv): z.input<typeof ApiKeyEntrySchema>[] {
  const text = env[apiKeysVariable];
  if (text === undefined || text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError([{ path: apiKeysVariable, message: `not JSON: ${(error as Error).message}` }], 'invalid API keys');
  }
  return parseInput(z.array(ApiKeyEntrySchema), value, `${apiKeysVariable} (a JSON array of { hash, principal, roles })`);
}

/**
 * The server's settings, each from the first place that gives it: `overrides` (serve's flags) >
 * environment (`METALEDGER_API_KEYS` adds keys) > the config file's `server` key > defaults.
 */
export function resolveServerConfig(fileSection: unknown, env: NodeJS.ProcessEnv, overrides: ServerConfigInput = {}): ServerConfig {
  const file = parseInput(ServerConfigSchema, fileSection ?? {}, 'server settings (metaledger.config.json: server)');
  const merged = {
    ...file,
    ...overrides,
    auth: {
      ...file.auth,
      ...overrides.auth,
      apiKeys: [...file.auth.apiKeys, ...keysFromEnvironment(env), ...(overrides.auth?.apiKeys ?? [])],
    },
    cors: { ...file.cors, ...overrides.cors },
  };
  return parseInput(ServerConfigSchema, merged, 'server settings');
}
