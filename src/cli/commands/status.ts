import { requirePositionals } from '../arguments.js';
import type { Command } from '../command.js';
import { count, orDash } from '../history-format.js';
import { formatFields, formatTable } from '../output.js';
import { readStoreStatus } from '../store-status.js';
import { packageVersion } from '../version.js';

export const statusCommand: Command = {
  name: 'status',
  summary: 'which database this is (never its password), its migrations, items, events and projection lag',
  usage: '',
  details: `Opens the store as every other command would (so it also says which settings decided where it is).

examples:
  metaledger status
  DATABASE_URL=postgres://app@db:5432/meta metaledger status --json`,
  async run(context, args) {
    requirePositionals(args, []);
    const store = await context.store();
    const { settings, backend } = context.target();
    const status = {
      version: packageVersion(),
      backend,
      sources: settings.sources,
      configFile: settings.configFile ?? null,
      ...(await readStoreStatus(store)),
    };
    context.report(status, () => {
      const fields = formatFields([
        ['metaledger', status.version],
        ['backend', backend.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'],
        ['data directory', backend.kind === 'pglite' ? (backend.dataDir ?? 'in memory') : undefined],
        ['host', backend.kind === 'postgres' ? `${backend.host ?? 'localhost'}:${backend.port ?? 5432}` : undefined],
        ['database', backend.database],
        ['user', backend.user],
        ['schema', backend.schema],
        ['settings from', `connection: ${settings.sources.connection}, schema: ${settings.sources.schema}`],
        ['config file', status.configFile ?? undefined],
        [
          'migrations',
          `${status.migrations.applied} applied (latest ${orDash(status.migrations.latest)}), ${status.migrations.pending.length} pending`,
        ],
        ['items', `${status.items.live} (+${status.items.deleted} deleted)`],
        [
          'events',
          `${count(status.events.count, 'event')}, last position ${orDash(status.events.lastPosition?.toString())} at ${orDash(status.events.lastRecordedAt)}`,
        ],
      ]);
      const projections = formatTable(
        ['projection', 'mode', 'lag events', 'lag seconds', 'last error'],
        status.projections.map((p) => [p.name, p.mode, String(p.lagEvents), String(p.lagSeconds), orDash(p.lastError)]),
      );
      return `${fields}\n\n${projections}`;
    });
  },
};
