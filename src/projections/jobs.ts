import type PgBoss from 'pg-boss';
import type pg from 'pg';

/** pg-boss keeps its tables in a schema of its own next to the store's. */
export const jobSchema = (schema: string) => `${schema}_jobs`.slice(0, 63);

/** When to prune history, and how much to keep. */
export interface RetentionSchedule {
  /** Cron expression (pg-boss, UTC). */
  cron: string;
  /** Prune events older than this many days … */
  olderThanDays: number;
  /** … but keep at least this many latest versions per item. */
  keepVersions?: number;
}

export interface CompactionSchedule {
  /** Cron expression (pg-boss, UTC). */
  cron: string;
  /** Snapshot interval to restore; default the store's `snapshotEvery`. */
  every?: number;
}

/** pg-boss job settings: schedules for retention and compaction, and how long a stuck job may run. */
export interface JobsOptions {
  /** Prune old history on a schedule. */
  retention?: RetentionSchedule;
  /** Add snapshots to long histories on a schedule. */
  compaction?: CompactionSchedule;
  /** Seconds after which an active job whose worker stopped answering is handed to another worker. */
  expireInSeconds?: number;
  /** How often pg-boss looks for expired jobs (default 30 s). */
  maintenanceIntervalSeconds?: number;
}

/** What the jobs run; the store supplies it. */
export interface JobHandlers {
  catchUp(projection: string): Promise<unknown>;
  rebuild(projection: string): Promise<unknown>;
  prune(options: { before: Date; keepVersions?: number }): Promise<unknown>;
  compact(every?: number): Promise<unknown>;
}

/**
 * pg-boss drives the work off the hot path. One `stately` queue per async projection: at most one
 * catch-up job waits and one runs, so a burst of appends becomes one job, and with several instances
 * exactly one of them runs a projection at a time. A job whose worker died expires and is retried by
 * another instance (its checkpoint row lock died with the connection).
 */
export class ProjectionJobs {
  private readonly queuePrefix: string;

  private constructor(
    private readonly boss: PgBoss,
    schema: string,
  ) {
    this.queuePrefix = `metaledger.${schema}`;
  }

  static async start(
    connection: pg.ClientConfig,
    schema: string,
    projections: string[],
    handlers: JobHandlers,
    options: JobsOptions = {},
  ): Promise<ProjectionJobs> {
    // loaded only by a store that runs jobs: a CLI command or an embedded store never pays for it
    const { default: PgBoss } = await import('pg-boss');
    const boss = new PgBoss({
      ...(connection as PgBoss.DatabaseOptions),
      schema: jobSchema(schema),
      max: 3,
      schedule: Boolean(options.retention || options.compaction),
      supervise: true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
    });
    boss.on('error', () => {});
    await boss.start();
    const jobs = new ProjectionJobs(boss, schema);
    const expireInSeconds = options.expireInSeconds ?? 60;
    for (const projection of projections) {
      const queue = jobs.catchUpQueue(projection);
      await boss.createQueue(queue, { name: queue, policy: 'stately', expireInSeconds, retryLimit: 5, retryDelay: 1 });
      await boss.work(queue, { pollingIntervalSeconds: 0.5 }, async () => handlers.catchUp(projection));
    }
    const rebuildQueue = jobs.rebuildQueue();
    await boss.createQueue(rebuildQueue, { name: rebuildQueue, policy: 'singleton', expireInSeconds: 3600 });
    await boss.work<{ projection: string }>(rebuildQueue, { pollingIntervalSeconds: 0.5 }, async ([job]) =>
      handlers.rebuild(job.data.projection),
    );
    const retentionQueue = jobs.retentionQueue();
    await boss.createQueue(retentionQueue, { name: retentionQueue, policy: 'singleton' });
    await boss.work<{ olderThanDays: number; keepVersions?: number }>(retentionQueue, { pollingIntervalSeconds: 0.5 }, async ([job]) =>
      handlers.prune({ before: new Date(Date.now() - job.data.olderThanDays * 86_400_000), keepVersions: job.data.keepVersions }),
    );
    if (options.retention) {
      const { cron, olderThanDays, keepVersions } = options.retention;
      await boss.schedule(retentionQueue, cron, { olderThanDays, keepVersions });
    }
    const compactionQueue = jobs.compactionQueue();
    await boss.createQueue(compactionQueue, { name: compactionQueue, policy: 'singleton' });
    await boss.work<{ every?: number }>(compactionQueue, { pollingIntervalSeconds: 0.5 }, async ([job]) =>
      handlers.compact(job.data.every),
    );
    if (options.compaction) await boss.schedule(compactionQueue, options.compaction.cron, { every: options.compaction.every });
    return jobs;
  }

  catchUpQueue(projection: string): string {
    return `${this.queuePrefix}.project.${projection}`;
  }

  rebuildQueue(): string {
    return `${this.queuePrefix}.rebuild`;
  }

  retentionQueue(): string {
    return `${this.queuePrefix}.retention`;
  }

  compactionQueue(): string {
    return `${this.queuePrefix}.compaction`;
  }

  async requestCompaction(every?: number): Promise<string | null> {
    return this.boss.send(this.compactionQueue(), { every });
  }

  /** Asks for a catch-up; a no-op when one is already waiting. */
  async requestCatchUp(projection: string): Promise<void> {
    await this.boss.send(this.catchUpQueue(projection), {});
  }

  async requestRebuild(projection: string): Promise<string | null> {
    return this.boss.send(this.rebuildQueue(), { projection });
  }

  async requestRetention(olderThanDays: number, keepVersions?: number): Promise<string | null> {
    return this.boss.send(this.retentionQueue(), { olderThanDays, keepVersions });
  }

  async schedules(): Promise<PgBoss.Schedule[]> {
    return this.boss.getSchedules();
  }

  async jobState(queue: string, id: string): Promise<string | undefined> {
    return (await this.boss.getJobById(queue, id))?.state;
  }

  stop(): Promise<void> {
    return this.boss.stop({ graceful: true, wait: true, timeout: 5000 });
  }
}
