import { userInfo } from 'node:os';
import { text } from 'node:stream/consumers';
import { createMetadataStore, type CreateMetadataStoreOptions } from '../store/create-store.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { CliContext } from './command.js';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: NodeJS.ReadableStream;
}

export interface GlobalOptions {
  store: CreateMetadataStoreOptions;
  json: boolean;
  actor?: string;
  reason?: string;
}

function defaultActor(): string | undefined {
  if (process.env.METALEDGER_ACTOR) return process.env.METALEDGER_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return undefined; // no passwd entry for this uid (some containers)
  }
}

/** The context commands run in; `close` closes the store if a command opened it. */
export function createCliContext(options: GlobalOptions, io: CliIo): CliContext & { close(): Promise<void> } {
  let opened: Promise<MetadataStore> | undefined;
  return {
    store: () => (opened ??= createMetadataStore(options.store)),
    writeContext: { actor: options.actor ?? defaultActor(), reason: options.reason, source: 'cli' },
    report(data, human) {
      io.stdout.write(`${options.json ? JSON.stringify(data, null, 2) : human()}\n`);
    },
    readStdin: () => text(io.stdin),
    async close() {
      const store = await opened?.catch(() => undefined);
      await store?.close();
    },
  };
}
