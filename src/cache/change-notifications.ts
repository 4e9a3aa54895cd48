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

/**
 * Delivers every committed change of this store's schema to `onChange`: at once from stores in this
 * process, and via LISTEN/NOTIFY from other processes. When the notification connection drops,
 * `onLost` runs (the cache must then forget everything: notifications may have been missed) and the
 * listener reconnects with backoff.
 */
export class ChangeNotifications {
  private listening?: NotificationChannel;
  private closed = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly datasource: Datasource,
    /** This store's instance id: its own writes come back as notifications too, and are skipped. */
    private readonly origin: string,
    private readonly onChange: Listener,
    private readonly onLost: () => void,
  ) {}

  async start(): Promise<void> {
    const listeners = inProcess.get(this.datasource.identity) ?? new Set();
    listeners.add(this.onChange);
    inProcess.set(this.datasource.identity, listeners);
    await this.connect();
  }

  /**
   * Tells the other stores of this process what a write just committed (other processes hear the
   * NOTIFY the append statement sent as it committed).
   */
  published(items: ChangedItems): void {
    publishInProcess(this.datasource.identity, items, this.onChange);
  }

  private async connect(attempt = 0): Promise<void> {
    try {
      this.listening = await this.datasource.listen(
        changeChannel,
        (payload) => {
          const change = parseChangePayload(payload);
          if (change?.schema === this.datasource.schema && change.origin !== this.origin) this.onChange(change.items);
        },
        () => this.reconnectAfterLoss(),
      );
    } catch (error) {
      if (attempt === 0) throw error;
      this.scheduleReconnect(attempt);
    }
  }

  private reconnectAfterLoss(): void {
    if (this.closed) return;
    this.listening = undefined;
    this.onLost();
    this.scheduleReconnect(1);
  }

  private scheduleReconnect(attempt: number): void {
    if (this.closed) return;
    const delay = Math.min(5000, 50 * 2 ** attempt);
    this.retryTimer = setTimeout(() => {
      void this.connect(attempt + 1).then(() => this.listening && this.onLost());
    }, delay);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    inProcess.get(this.datasource.identity)?.delete(this.onChange);
    await this.listening?.stop();
  }
}
