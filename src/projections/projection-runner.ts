import type { Datasource } from '../datasource/datasource.js';
import { quoteIdentifier } from '../datasource/identifier.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { ProjectionJobs, type JobHandlers, type JobsOptions } from './jobs.js';
import type { ProjectedEvent, ProjectionDefinition, ProjectionMode } from './projection.js';
import { catchUp, ensureCheckpoint, type CatchUpResult } from './projector.js';
import { rebuild, type RebuildOptions, type RebuildResult } from './rebuild.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { checkpointsWithLag } from './statements/checkpoints.js';

/** How soon a catch-up held back by a transaction running elsewhere looks again. */
const heldBackRetryMs = 250;

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
  private readonly lookingAgain = new Map<string, NodeJS.Timeout>();
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
      for (const definition of this.asyncProjections) this.requestCatchUp(definition.name);
    }, this.settings.debounceMs ?? 20);
    this.debounce.unref();
  }

  /** A catch-up of one projection: a job any instance may run, or here. */
  private requestCatchUp(name: string): void {
    const request = this.jobs ? this.jobs.requestCatchUp(name) : this.catchUpLocally(name);
    void request.catch(this.onError);
  }

  /**
   * A catch-up stopped below a transaction running elsewhere, with committed events past it: no write
   * may come to wake the projection again, so it looks again on its own until it has them.
   */
  private lookAgainLater(name: string): void {
    if (this.closed || this.lookingAgain.has(name)) return;
    const timer = setTimeout(() => {
      this.lookingAgain.delete(name);
      if (!this.closed) this.requestCatchUp(name);
    }, heldBackRetryMs);
    timer.unref();
    this.lookingAgain.set(name, timer);
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

  async catchUp(name: string): Promise<CatchUpResult> {
    const definition = this.require(name);
    const result = await catchUp(this.db, definition, this.tableOf(definition), this.settings.batchSize);
    if (result.heldBack) this.lookAgainLater(name);
    return result;
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
    const rows = await runStatement(this.db, checkpointsWithLag());
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
    for (const timer of this.lookingAgain.values()) clearTimeout(timer);
    await Promise.allSettled([...this.running.values()]);
    await this.jobs?.stop();
  }

  private require(name: string): ProjectionDefinition {
    const definition = this.definitions.get(name);
    if (!definition) throw new NotFoundError(`no projection named "${name}" (registered: ${[...this.definitions.keys()].join(', ')})`);
    return definition;
  }
}
