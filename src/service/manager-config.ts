import { resolve } from 'node:path';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { FileFormat } from '../loaders/file/file-loader.js';
import {
  MetadataManagerConfigSchema,
  StrictMetadataFormatSchema,
  StrictMetadataLoaderContractSchema,
  type MetadataLoaderContractInput,
  type MetadataManagerConfigInput,
} from '../protocol/index.js';
import { isPlainObject } from '../protocol/json.js';
import { parseInput } from '../input/parse-input.js';

/** What a MetadataManagerConfig sets on the service's two loaders: system files and the database. */
export interface ManagerSetup {
  /** The system files directory (`rootDir`, with `basePath` under it). */
  systemDir?: string;
  /** Contract of the `file:` loader (name, description, capabilities). */
  files?: MetadataLoaderContractInput;
  /** Contract of the `database:` loader. */
  database?: MetadataLoaderContractInput;
  /** `cache: false`: every read goes to the files and the database. */
  cache: boolean;
  formats?: FileFormat[];
}

/**
 * Reads a protocol MetadataManagerConfig for createMetadataService. Its loaders are the service's
 * two: an entry with a datasourceConfig (or protocol 'database:') describes the database loader, any
 * other the system files loader (the protocol may be left to be inferred, as in the protocol). What a
 * service that reads through its loaders on every call cannot do is refused, with the reason.
 */
export function readManagerConfig(input: MetadataManagerConfigInput): ManagerSetup {
  const config = parseInput(MetadataManagerConfigSchema, input, 'manager config');
  const issues: ValidationIssue[] = [];
  const setup: ManagerSetup = { cache: config.cache !== false };
  if (config.watch)
    issues.push({
      path: 'watch',
      message: 'the service reads through its loaders on every call, so there is nothing to refresh: watch a loader or the store instead',
    });
  if (config.watchOptions !== undefined)
    issues.push({
      path: 'watchOptions',
      message: 'file watcher options do not apply: the file loader watches with fs.watch when asked (loader.watch)',
    });
  (config.loaders ?? []).forEach((entry, index) => {
    if (!isPlainObject(entry)) return issues.push({ path: `loaders.${index}`, message: 'a loader contract must be an object' });
    const protocol = entry.protocol ?? (entry.datasourceConfig !== undefined ? 'database:' : 'file:');
    const contract = StrictMetadataLoaderContractSchema.safeParse({ ...entry, protocol });
    if (!contract.success)
      return issues.push({
        path: `loaders.${index}`,
        message: contract.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
    const slot = protocol === 'database:' ? 'database' : protocol === 'file:' ? 'files' : undefined;
    if (!slot)
      return issues.push({
        path: `loaders.${index}.protocol`,
        message: `createMetadataService builds a file: and a database: loader, not ${protocol} (give other loaders to new MetadataService)`,
      });
    if (setup[slot]) return issues.push({ path: `loaders.${index}`, message: `a second ${protocol} loader: the service has one` });
    // parsed: capabilities left out are the protocol's defaults (read and list, no write or watch)
    setup[slot] = contract.data;
  });
  (config.formats ?? []).forEach((format, index) => {
    const checked = StrictMetadataFormatSchema.safeParse(format);
    if (!checked.success) issues.push({ path: `formats.${index}`, message: checked.error.issues[0].message });
  });
  if (issues.length > 0) throw new ValidationError(issues, 'manager config');
  if (config.formats) setup.formats = config.formats as FileFormat[];
  if (config.rootDir !== undefined || config.basePath !== undefined)
    setup.systemDir = resolve(config.rootDir ?? '.', config.basePath ?? '.');
  return setup;
}
