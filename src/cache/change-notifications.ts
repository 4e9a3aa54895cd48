import type { Datasource, NotificationChannel } from '../datasource/datasource.js';

/** The channel every append notifies on; the payload names the schema, so stores filter their own. */
export const changeChannel = 'metaledger_changes';

/** What changed: some items, or (a large changeset) everything. */
export type ChangedItems = { type: string; name: string }[] | 'all';

export interface ChangePayload {
  schema: string;
  /** The store instance that wrote, when it said. */
  origin?: string;
  items: ChangedItems;
}

/** Who a change notification says wrote: the store's schema and instance. */
export interface ChangeNotice {
  schema: string;
  origin: string;
}

/** NOTIFY payloads are limited to 8000 bytes: a notice of more items than this says "everything". */
const maxListedItems = 100;

/**
 * The SQL expression that sends the change notice of the rows of `items` (with type and name columns),
 * taking the schema and origin from parameters. NOTIFY is transactional: it goes out when the writing
 * transaction commits, and never if it does not.
 */
export function changeNoticeSql(items: string, schemaParam: string, originParam: string): string {
  return `(SELECT pg_notify('${changeChannel}', json_build_object('s', ${schemaParam}::text, 'o', ${originParam}::text,
     'k', CASE WHEN count(*) > ${maxListedItems} THEN to_json('*'::text) ELSE json_agg(json_build_array(type, name)) END)::text)
   FROM ${items})`;
}

export function parseChangePayload(payload: string): ChangePayload | null {
  try {
    const parsed = JSON.parse(payload) as { s?: string; o?: string | null; k?: [string, string][] | '*' };
    if (typeof parsed.s !== 'string') return null;
    const items: ChangedItems = parsed.k === '*' || !Array.isArray(parsed.k) ? 'all' : parsed.k.map(([type, name]) => ({ type, name }));
    return { schema: parsed.s, origin: parsed.o ?? undefined, items };
  } catch {
    return null;
  }
}

type Listener = (items: ChangedItems) => void;

/** Stores in one process on the same database and schema hear each other's writes synchronously. */
const inProcess = new Map<string, Set<Listener>>();

export function publishInProcess(identity: string, items: ChangedItems, except: Listener): void {
  for (const listener of inProcess.get(identity) ?? []) if (listener !== except) listener(items);
}

/** The first reconnect waits about this long; each next one twice as long, up to `maxReconnectDelayMs`. */
const firstReconnectDelayMs = 100;
/** The longest pause between two attempts to listen again (so a store hears changes again within ~5 s of the database). */
export const maxReconnectDelayMs = 5_000;

/** Exponential backoff, capped, with jitter: half the delay fixed, half random, so many stores do not reconnect in step. */
function reconnectDelay(attempt: number): number {
  const delay = Math.min(maxReconnectDelayMs, firstReconnectDelayMs * 2 ** attempt);
  return delay / 2 + (Math.random() * delay) / 2;
}

/** The warning a store emits when it cannot hear other processes' changes. */
export const notificationsOffWarning = 'METALEDGER_NO_CHANGE_NOTIFICATIONS';

/**
 * Delivers every committed change of this store's schema to `onChange`: at once from stores in this
 * process, and via LISTEN/NOTIFY from other processes. When the notification connection drops, `onLost`
 * runs (the cache must then forget everything: notifications may have been missed), and one reconnect loop
 * per store tries again with capped exponential backoff until it listens again (then `onLost` runs once more:
 * changes made meanwhile were not heard) or the store closes.
 */
export class ChangeNotifications {
  private listening?: NotificationChannel;
  private closed = false;
  private reconnecting?: Promise<void>;
  /** Ends the pause between two reconnect attempts early (on close). */
  private interruptPause?: () => void;

  constructor(
    private readonly datasource: Datasource,
    /** This store's instance id: its own writes come back as notifications too, and are skipped. */
    private readonly origin: string,
    private readonly onChange: Listener,
    private readonly onLost: () => void,
  ) {}

  /** Starts listening; the first connection must succeed (a store that cannot reach its database does not open). */
  async start(): Promise<void> {
    const listeners = inProcess.get(this.datasource.identity) ?? new Set();
    listeners.add(this.onChange);
    inProcess.set(this.datasource.identity, listeners);
    if (!this.datasource.listen) {
      process.emitWarning(
        'metaledger: change notifications are off (transactionPooling without listenConnectionString): ' +
          "this store does not hear other processes' writes, and a cached record may be up to cache.ttlSeconds old. " +
          'Give listenConnectionString (a direct connection to PostgreSQL) to hear them.',
        { code: notificationsOffWarning },
      );
      return;
    }
    await this.listen();
  }

  /** True while changes of other processes are heard (false while reconnecting, and when notifications are off). */
  get connected(): boolean {
    return this.listening !== undefined;
  }

  /**
   * Tells the other stores of this process what a write just committed (other processes hear the
   * NOTIFY the append statement sent as it committed).
   */
  published(items: ChangedItems): void {
    publishInProcess(this.datasource.identity, items, this.onChange);
  }

  private async listen(): Promise<void> {
    const channel: NotificationChannel = await this.datasource.listen!(
      changeChannel,
      (payload) => {
        const change = parseChangePayload(payload);
        if (change?.schema === this.datasource.schema && change.origin !== this.origin) this.onChange(change.items);
      },
      () => this.lost(channel),
    );
    if (this.closed) await channel.stop();
    else this.listening = channel;
  }

  private lost(channel: NotificationChannel): void {
    if (this.closed || this.listening !== channel) return;
    this.listening = undefined;
    this.onLost();
    this.reconnecting ??= this.reconnect().finally(() => (this.reconnecting = undefined));
  }

  /** The one reconnect loop of this store. */
  private async reconnect(): Promise<void> {
    for (let attempt = 0; !this.closed && !this.listening; attempt++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reconnectDelay(attempt));
        this.interruptPause = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.closed) return;
      try {
        await this.listen();
      } catch {
        continue; // still unreachable: wait longer
      }
      // changes committed while nobody listened were not heard
      if (this.listening) this.onLost();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.interruptPause?.();
    inProcess.get(this.datasource.identity)?.delete(this.onChange);
    await this.reconnecting;
    await this.listening?.stop();
    this.listening = undefined;
  }
}
