import pg from 'pg';
import { connectionFailure, type FailureContext } from './connection-failure.js';
import { toMetaledgerError } from './database-errors.js';

export interface ClientBehaviour {
  /** Opening a connection (TCP, TLS, authentication) gives up after this long; null waits for ever. */
  connectTimeoutMs: number | null;
  /**
   * A statement whose answer has not arrived this long after it was sent is given up and its connection
   * destroyed (the server's own statement_timeout cannot reach a client across a dead network).
   */
  answerTimeoutMs: number;
  failure: FailureContext;
  /** The server's statement_timeout, named when a statement is cancelled by it. */
  statementTimeoutMs?: number;
  /** The store's schema, named when its tables are missing (a store never migrated). */
  schema: string;
  /**
   * Behind a transaction pooler (PgBouncer, pool_mode=transaction) nothing set on a session survives
   * its transaction: this SQL (set_config(…, true) calls) opens every transaction instead, and a statement
   * outside a transaction is wrapped in one.
   */
  transactionSettings?: string;
}

const opensTransaction = /^\s*(begin|start\s+transaction)\b/i;
const controlsTransaction = /^\s*(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i;

type Callback = (error: Error | null, result?: pg.QueryResult) => void;

/**
 * The pg Client every metaledger connection uses: bounded connect and answer waits, failures typed where
 * they happen (connection-level ones DATASOURCE_UNAVAILABLE naming the server, never the password; see
 * `toMetaledgerError` for the statement ones), and,
 * behind a transaction pooler, session settings renewed in every transaction.
 */
export function clientClass(behaviour: ClientBehaviour): typeof pg.Client {
  const { failure, transactionSettings } = behaviour;
  return class MetaledgerClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super({
        ...(typeof config === 'string' ? { connectionString: config } : config),
        connectionTimeoutMillis: behaviour.connectTimeoutMs ?? 0,
        query_timeout: behaviour.answerTimeoutMs,
        // a peer that vanished without closing is found by the kernel instead of never
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      });
      // a connection that breaks while in use reports it to its queries; an 'error' event nobody listens
      // to would crash the process instead
      this.on('error', () => {});
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads: promise or callback
    override connect(callback?: any): any {
      const typed = (error: unknown) => connectionFailure(error, failure, 'connect') ?? error;
      if (callback) return super.connect((error: Error | null) => callback(error ? typed(error) : null, this));
      return super.connect().catch((error: unknown) => Promise.reject(typed(error)));
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads: text or config, values, callback, submittables
    override query(config: any, values?: any, callback?: any): any {
      if (typeof config?.submit === 'function') return super.query(config, values, callback);
      const done: Callback | undefined = typeof values === 'function' ? values : callback;
      const promise = this.answer(config, typeof values === 'function' ? undefined : values);
      if (!done) return promise;
      promise.then(
        (result) => done(null, result),
        (error: Error) => done(error),
      );
    }

    private async answer(config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> {
      try {
        if (!transactionSettings) return await super.query(config, values);
        const text = typeof config === 'string' ? config : config.text;
        if (opensTransaction.test(text)) {
          const result = await super.query(config, values);
          await super.query(transactionSettings);
          return result;
        }
        if (this.getTransactionStatus() !== 'I' || controlsTransaction.test(text)) return await super.query(config, values);
        return await this.inOwnTransaction(config, values);
      } catch (error) {
        this.abandonIfStuck(error);
        throw (
          connectionFailure(error, failure) ?? toMetaledgerError(error, failure.secrets, behaviour.statementTimeoutMs, behaviour.schema)
        );
      }
    }

    /**
     * pg gave up waiting for an answer but the connection still waits for it: nothing else can use it, so
     * it is destroyed (the pool then drops it). True when that happened.
     */
    private abandonIfStuck(error: unknown): boolean {
      if ((error as Error)?.message !== 'Query read timeout') return false;
      this.connection.stream.destroy();
      return true;
    }

    /** One statement in a transaction of its own, so the settings apply to it on whatever server connection the pooler lends. */
    private async inOwnTransaction(config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> {
      await super.query(`BEGIN; ${transactionSettings}`);
      let result: pg.QueryResult;
      try {
        result = await super.query(config, values);
      } catch (error) {
        if (!this.abandonIfStuck(error)) await super.query('ROLLBACK').catch(() => {});
        throw error;
      }
      await super.query('COMMIT');
      return result;
    }
  };
}
