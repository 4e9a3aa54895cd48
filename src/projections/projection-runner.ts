import { CompiledQuery } from 'kysely';
import type { Datasource } from '../datasource/datasource.js';
import { quoteIdentifier } from '../datasource/identifier.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { ProjectionJobs, type JobHandlers, type JobsOptions } from './jobs.js';
import type { ProjectedEvent, ProjectionDefinition, ProjectionMode } from './projection.js';
import { catchUp, ensureCheckpoint, type CatchUpResult } from './projector.js';
import { rebuild, type RebuildOptions, type RebuildResult } from './rebuild.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** Projections a store runs besides framework-metadata, their modes and how they catch up. */
export interface ProjectionSettings {
  /** Projections besides framework-metadata (e.g. the shipped collection-info and actor-activity, or your own). */
  definitions?: ProjectionDefinition[];
  /** Mode per projection name; each projection's default otherwise. */
  modes?: Record<string, ProjectionMode>;
  /** pg-boss jobs (PostgreSQL only); false runs catch-ups in this process instead. Default: on for PostgreSQL. */
  jobs?: JobsOptions | false;
  batchSize?: number;
  /** Wait this long after a change before catching up, so bursts become one catch-up. */
  debounceMs?: number;
}

/** One projection as `store.projectionStatus()` reports it: mode, checkpoint, lag and last error. */
export interface ProjectionStatus {
  name: string;
  version: number;
  mode: ProjectionMode;
  checkpoint: { txId: string; position: number } | null;
  eventsApplied: number;
  lagEvents: number;
  lagSeconds: number;
  lastError: string | null;
}

/** Registered projections, their modes, their catch-ups (local or as pg-boss jobs) and their status. */
export class ProjectionRunner {
  private readonly definitions = new Map<string, ProjectionDefinition>();
  private readonly modes = new Map<string, ProjectionMode>();
  private jobs?: ProjectionJobs;
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly pending = new Set<string>();
  private debounce?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly datasource: Datasource,
    framework: ProjectionDefinition,
    private readonly settings: ProjectionSettings = {},
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    for (const definition of [framework, ...(settings.definitions ?? [])]) {
      if (this.definitions.has(definition.name))
        throw new ValidationError([{ path: 'projections', message: `projection "${definition.name}" is registered twice` }]);
      this.definitions.set(definition.name, definition);
      this.modes.set(definition.name, settings.modes?.[definition.name] ?? definition.defaultMode);
    }
    for (const name of Object.keys(settings.modes ?? {})) {
      if (!this.definitions.has(name))
        throw new ValidationError([{ path: `projections.modes.${name}`, message: 'no projection has this name' }]);
    }
  }

  private get db(): MetaledgerDb {
    return this.datasource.db;
  }

  /** The quoted table a projection writes to. */
  tableOf(definition: ProjectionDefinition): string {
    return definition.table.includes('"') ? definition.table : quoteIdentifier(definition.table, `projection ${definition.name} table`);
  }

  modeOf(name: string): ProjectionMode {
    return this.require(name) && this.modes.get(name)!;
  }

  /** Inline projections other than framework-metadata (which is part of the append statement). */
  get extraInline(): ProjectionDefinition[] {
    return [...this.definitions.values()].filter((d) => d.name !== 'framework-metadata' && this.modes.get(d.name) === 'inline');
  }

  get asyncProjections(): ProjectionDefinition[] {
    return [...this.definitions.values()].filter((d) => this.modes.get(d.name) === 'async');
  }

  /** Creates the tables, and starts the pg-boss jobs when async projections run on PostgreSQL. */
  async start(maintenance: Pick<JobHandlers, 'prune' | 'compact'>): Promise<void> {
    for (const definition of this.definitions.values()) {
      await definition.ensureTable(this.db, this.tableOf(definition));
      if (this.modes.get(definition.name) === 'async') await ensureCheckpoint(this.db, definition.name);
    }
    const connection = this.datasource.connectionConfig;
    const wantsJobs =
      this.asyncProjections.length > 0 || Boolean(this.settings.jobs && (this.settings.jobs.retention || this.settings.jobs.compaction));
    if (this.settings.jobs !== false && connection && wantsJobs) {
      this.jobs = await ProjectionJobs.start(
        connection,
        this.datasource.schema,
        this.asyncProjections.map((d) => d.name),
        {
          catchUp: (name) => this.catchUp(name),
          rebuild: (name) => this.rebuild(name),
          ...maintenance,
        },
        this.settings.jobs || {},
      );
    }
    this.changed();
  }

  /** Runs inline projections in the appending transaction. */
  async applyInline(trx: MetaledgerDb, events: ProjectedEvent[]): Promise<void> {
    for (const definition of this.extraInline) {
      const relevant = definition.kinds === 'all' ? events : events.filter((e) => (definition.kinds as string[]).includes(e.kind));
      if (relevant.length > 0) await definition.apply(trx, relevant, this.tableOf(definition));
    }
  }

  /** Something was appended: catch async projections up soon (debounced). */
  changed(): void {
    if (this.closed || this.asyncProjections.length === 0) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      for (const definition of this.asyncProjections) {
        const request = this.jobs ? this.jobs.requestCatchUp(definition.name) : this.catchUpLocally(definition.name);
        void request.catch(this.onError);
      }
    }, this.settings.debounceMs ?? 20);
    this.debounce.unref();
  }

  /** One local catch-up at a time per projection; a request during a run schedules one more run. */
  private catchUpLocally(name: string): Promise<unknown> {
    if (this.running.has(name)) {
      this.pending.add(name);
      return this.running.get(name)!;
    }
    const run = this.catchUp(name).finally(() => {
      this.running.delete(name);
      if (this.pending.delete(name) && !this.closed) void this.catchUpLocally(name).catch(this.onError);
    });
    this.running.set(name, run);
    return run;
  }

  catchUp(name: string): Promise<CatchUpResult> {
    const definition = this.require(name);
    return catchUp(this.db, definition, this.tableOf(definition), this.settings.batchSize);
  }

  rebuild(name: string, options?: RebuildOptions): Promise<RebuildResult> {
    const definition = this.require(name);
    return rebuild(this.db, definition, this.tableOf(definition), options);
  }

  /** Queues a rebuild as a pg-boss job (any instance may run it); returns the job id. */
  async requestRebuild(name: string): Promise<string | null> {
    this.require(name);
    if (!this.jobs)
      throw new ValidationError([{ path: 'projections.jobs', message: 'rebuild jobs need pg-boss (PostgreSQL with jobs enabled)' }]);
    return this.jobs.requestRebuild(name);
  }

  get jobRunner(): ProjectionJobs | undefined {
    return this.jobs;
  }

  async status(): Promise<ProjectionStatus[]> {
    const { rows } = await this.db.executeQuery<{
      projection: string;
      tx_id: string;
      position: number;
      events_applied: number;
      last_error: string | null;
      lag_events: number;
      oldest: Date | null;
    }>(
      CompiledQuery.raw(`
        SELECT c.projection, c.tx_id::text AS tx_id, c.position, c.events_applied, c.last_error, lag.events AS lag_events, lag.oldest
        FROM metadata_checkpoints c
        CROSS JOIN LATERAL (
          SELECT count(*) AS events, min(e.recorded_at) AS oldest FROM metadata_events e WHERE (e.tx_id, e.position) > (c.tx_id, c.position)
        ) lag`),
    );
    const byName = new Map(rows.map((row) => [row.projection, row]));
    return [...this.definitions.values()].map((definition) => {
      const mode = this.modes.get(definition.name)!;
      const row = mode === 'async' ? byName.get(definition.name) : undefined;
      return {
        name: definition.name,
        version: definition.version,
        mode,
        checkpoint: row ? { txId: row.tx_id, position: Number(row.position) } : null,
        eventsApplied: Number(row?.events_applied ?? 0),
        // inline projections commit with the events: they never lag
        lagEvents: Number(row?.lag_events ?? 0),
        lagSeconds: row?.oldest ? Math.max(0, (Date.now() - new Date(row.oldest).getTime()) / 1000) : 0,
        lastError: row?.last_error ?? null,
      };
    });
  }

  /** Lets in-flight work finish and stops the jobs. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.debounce);
    await Promise.allSettled([...this.running.values()]);
    await this.jobs?.stop();
  }

  private require(name: string): ProjectionDefinition {
    const definition = this.definitions.get(name);
    if (!definition) throw new NotFoundError(`no projection named "${name}" (registered: ${[...this.definitions.keys()].join(', ')})`);
    return definition;
  }
}
