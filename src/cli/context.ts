import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { connectionChoiceOf, describeBackend, resolveStoreSettings } from '../config.js';
import { terminalProgress } from '../loaders/progress.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { CliContext, StoreTarget } from './command.js';
import type { CliIo } from './io.js';

/** The global options of one run (see global-options.ts). */
export interface GlobalOptions {
  store: { connectionString?: string; dataDir?: string; schema?: string; configFile?: string };
  json: boolean;
  verbose: boolean;
  actor?: string;
  reason?: string;
}

function defaultActor(env: CliIo['env']): string | undefined {
  if (env.METALEDGER_ACTOR) return env.METALEDGER_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return undefined; // no passwd entry for this uid (some containers)
  }
}

/** `connection from --db, schema from default` — which source decided each setting. */
function describeSources({ settings }: StoreTarget): string {
  const named = { option: 'the command line', environment: 'the environment', 'config file': settings.configFile, default: 'the default' };
  const parts = [`connection from ${named[settings.sources.connection]}`, `schema from ${named[settings.sources.schema]}`];
  if (settings.sources.driver) parts.push(`driver settings from ${named[settings.sources.driver]}`);
  return parts.join(', ');
}

/** The context commands run in; `close` closes the store if a command opened it. */
export function createCliContext(options: GlobalOptions, io: CliIo): CliContext & { close(): Promise<void> } {
  let resolved: StoreTarget | undefined;
  let opened: Promise<MetadataStore> | undefined;
  const verbose = (line: string) => {
    if (options.verbose) io.stderr.write(`metaledger: ${line}\n`);
  };
  const target = (): StoreTarget => {
    if (!resolved) {
      const settings = resolveStoreSettings(options.store, { env: io.env, cwd: io.cwd, configFile: options.store.configFile });
      resolved = { settings, backend: describeBackend(settings.target, settings.schema) };
    }
    return resolved;
  };
  const open = async (): Promise<MetadataStore> => {
    const { settings, backend } = target();
    verbose(`using ${backend.summary} (${describeSources(target())})`);
    const started = Date.now();
    // everything is resolved here, from this run's environment and directory: the library looks no further
    const { createMetadataStore } = await import('../store/create-store.js');
    const store = await createMetadataStore({
      ...connectionChoiceOf(settings.target),
      schema: settings.schema,
      driver: settings.driver,
      ...settings.connectionSettings,
      configFile: false,
    });
    verbose(`opened in ${Date.now() - started} ms`);
    return store;
  };
  return {
    store: () => (opened ??= open()),
    target,
    writeContext: { actor: options.actor ?? defaultActor(io.env), reason: options.reason, source: 'cli' },
    report(data, human) {
      io.stdout.write(`${options.json ? JSON.stringify(data, null, 2) : human()}\n`);
    },
    readStdin: () => text(io.stdin),
    path: (given) => resolve(io.cwd, given),
    progress: () => terminalProgress(io.stderr),
    env: io.env,
    async close() {
      const store = await opened?.catch(() => undefined);
      await store?.close();
    },
  };
}
