import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../../service/principal.js';
import type { ApiKeyEntry } from '../server-config.js';

/** What the config keeps of a key: `sha256:<hex>`. Keys are 256 random bits, so a plain hash is as strong as a slow one. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A fresh key (`mlk_` + 43 base64url characters) and the hash to put in the config. */
export function generateApiKey(): { key: string; hash: string } {
  const key = `mlk_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

/** Looks a presented key up by its hash: the comparison is of hashes, so its timing tells nothing about a key. */
export function apiKeyDirectory(entries: ApiKeyEntry[]): (key: string) => Principal | undefined {
  const byHash = new Map(entries.map((entry) => [entry.hash, Object.freeze({ id: entry.principal, roles: [...entry.roles] })]));
  return (key) => byHash.get(hashApiKey(key));
}
