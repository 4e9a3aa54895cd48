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
  private outgoing: ChangedItems = [];
  /** Sends what is outgoing until nothing is, one notification at a time; absent when idle. */
  private sending?: Promise<void>;
  private closed = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly datasource: Datasource,
    /** This store's instance id: its own writes come back as notifications too, and are skipped. */
    private readonly origin: string,
    private readonly onChange: Listener,
    private readonly onLost: () => void,
    private readonly onSendError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    const listeners = inProcess.get(this.datasource.identity) ?? new Set();
    listeners.add(this.onChange);
    inProcess.set(this.datasource.identity, listeners);
    await this.connect();
  }

  /**
   * Tells the other stores what a write just committed: this process's at once, other processes by a
   * NOTIFY sent after the commit, on the listening connection (a pooled one only while that is down).
   * Sent outside the writing transaction on purpose: PostgreSQL makes every transaction that notified
   * commit one at a time, which would serialise all writers. One notification is in flight at a time;
   * everything committed meanwhile goes out in the next. (The price: if this process dies between a
   * commit and the send, other processes' caches keep the old record until their TTL.)
   */
  published(items: ChangedItems): void {
    publishInProcess(this.datasource.identity, items, this.onChange);
    if (this.outgoing === 'all' || items === 'all') this.outgoing = 'all';
    else this.outgoing.push(...items);
    this.sending ??= this.sendOutgoing();
  }

  private async sendOutgoing(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve)); // what one tick commits goes out together
    while (this.outgoing === 'all' || this.outgoing.length > 0) {
      const items = this.outgoing;
      this.outgoing = [];
      // NOTIFY payloads are limited to 8000 bytes: a large burst says "everything"
      const listed = items === 'all' || items.length > 100 ? '*' : items.map(({ type, name }) => [type, name]);
      const payload = JSON.stringify({ s: this.datasource.schema, o: this.origin, k: listed });
      const send = this.listening ? this.listening.notify(payload) : this.datasource.prepared('SELECT pg_notify($1, $2)', [changeChannel, payload]);
      await send.catch(this.onSendError);
    }
    this.sending = undefined;
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
    await this.sending;
    this.closed = true;
    clearTimeout(this.retryTimer);
    inProcess.get(this.datasource.identity)?.delete(this.onChange);
    await this.listening?.stop();
  }
}
