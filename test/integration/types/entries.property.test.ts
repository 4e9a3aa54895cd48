import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isMetaledgerError, MetadataDriver } from '../../../src/index.js';
import { startTestServer, type TestServer } from '../../helpers/http-server.js';

let server: TestServer;

const widget = z.object({ size: z.number().int().min(0), label: z.string().max(20), tags: z.array(z.string()).max(3).optional() }).strict();

beforeAll(async () => {
  server = await startTestServer('types_entries');
  await server.store.defineType('widget', { schema: widget });
  await server.store.save('widget', { name: 'base', metadata: { size: 1, label: 'base' } });
});
afterAll(() => server.close());

const eventCount = async () => Number((await server.database.query<{ n: string }>('SELECT count(*) AS n FROM metadata_events'))[0].n);

/** Payloads near the schema: right and wrong types, out-of-range values, unknown keys, missing keys. */
const payload = fc.dictionary(
  fc.constantFrom('size', 'label', 'tags', 'extra'),
  fc.oneof(
    fc.integer({ min: -3, max: 40 }),
    fc.double({ min: 0, max: 5, noNaN: true }),
    fc.string({ maxLength: 24 }),
    fc.array(fc.string({ maxLength: 4 }), { maxLength: 4 }),
    fc.boolean(),
    fc.constant(null),
  ),
  { maxKeys: 4 },
);

type Outcome = 'accepted' | { code: string; paths: string[] };

const asOutcome = (work: Promise<unknown>): Promise<Outcome> =>
  work.then(
    () => 'accepted' as const,
    (error: unknown) => {
      if (!isMetaledgerError(error)) throw error;
      return { code: error.code, paths: ((error as { issues?: { path: string }[] }).issues ?? []).map((issue) => issue.path) };
    },
  );

async function overHttp(path: string, method: string, body: unknown): Promise<Outcome> {
  const response = await server.call(path, { method, body });
  if (response.ok) return 'accepted';
  const problem = (await response.json()) as { code: string; issues?: { path: string }[] };
  return { code: problem.code, paths: (problem.issues ?? []).map((issue) => issue.path) };
}

let counter = 0;

/** Every entry that writes a payload, each with a fresh item (update: the existing one). */
const entries: Record<string, (metadata: Record<string, unknown>) => Promise<Outcome>> = {
  save: (metadata) => asOutcome(server.store.save('widget', { name: `s${counter++}`, metadata })),
  update: (metadata) => asOutcome(server.store.update('widget', 'base', (current) => ({ ...current, metadata }))),
  bulk: (metadata) =>
    asOutcome(
      new MetadataDriver(server.store).bulkOperation({
        operation: 'upsert',
        records: [{ type: 'widget', name: `b${counter++}`, metadata }],
      }),
    ),
  'HTTP PUT': (metadata) => overHttp(`/api/v1/records/widget/h${counter++}`, 'PUT', { metadata }),
  'HTTP import': (metadata) => overHttp('/api/v1/import?validate=true', 'POST', [{ type: 'widget', name: `i${counter++}`, metadata }]),
};

describe('every entry checks payloads against the type definition', () => {
  it('refuses invalid payloads (VALIDATION, paths under metadata, nothing written) and accepts valid ones', async () => {
    const seen = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(payload, async (metadata) => {
        const valid = widget.safeParse(metadata).success;
        seen[valid ? 'valid' : 'invalid']++;
        for (const [entry, write] of Object.entries(entries)) {
          const before = await eventCount();
          const outcome = await write(metadata);
          if (valid) {
            expect(outcome, entry).toBe('accepted');
            continue;
          }
          expect(outcome, entry).not.toBe('accepted');
          const { code, paths } = outcome as Exclude<Outcome, 'accepted'>;
          expect(code, entry).toBe('VALIDATION');
          // bulk reports the record's error as its message; the others give every issue with its path
          if (entry !== 'bulk') expect(paths.length, entry).toBeGreaterThan(0);
          for (const path of paths) expect(path, entry).toMatch(/(^|\.|:)metadata(\.|$)/);
          expect(await eventCount(), entry).toBe(before);
        }
      }),
      { numRuns: Number(process.env.METALEDGER_FUZZ_RUNS ?? 40), examples: [[{ size: 3, label: 'ok' }]] },
    );
    // the property saw both kinds of input
    expect(seen.valid).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
  });

  it('the HTTP API defines, lists and shows types, and lists references', async () => {
    const defined = await server.call('/api/v1/type-definitions/gadget', {
      method: 'PUT',
      body: {
        schema: { type: 'object', properties: { widget: { type: 'string' } }, required: ['widget'] },
        references: [{ path: 'widget', type: 'widget' }],
      },
    });
    expect(defined.status).toBe(201);
    const refused = await server.call('/api/v1/type-definitions/gadget', { method: 'PUT', as: 'alice', body: { schema: {} } });
    expect(refused.status).toBe(403);
    const listed = (await (await server.call('/api/v1/type-definitions')).json()) as { types: { type: string }[] };
    expect(listed.types.map((t) => t.type)).toEqual(['gadget', 'widget']);
    const shown = (await (await server.call('/api/v1/type-definitions/gadget')).json()) as { version: number; references: unknown[] };
    expect(shown).toMatchObject({ version: 1, references: [{ path: 'widget', type: 'widget' }] });
    expect((await server.call('/api/v1/type-definitions/nothing')).status).toBe(404);
    await server.store.save('gadget', { name: 'g1', metadata: { widget: 'base' } });
    const references = await (await server.call('/api/v1/records/widget/base/references')).json();
    expect(references).toEqual({ referrers: [{ type: 'gadget', name: 'g1', path: 'widget' }], hidden: 0 });
    const deleted = await server.call('/api/v1/records/widget/base', { method: 'DELETE' });
    expect(deleted.status).toBe(409);
    expect(((await deleted.json()) as { detail: string }).detail).toContain('gadget/g1 (widget)');
  });
});
