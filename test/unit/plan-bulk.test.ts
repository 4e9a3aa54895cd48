import { describe, expect, it } from 'vitest';
import { bulkEntries, planRecord, rejectDuplicates } from '../../src/driver/bulk/plan-bulk.js';
import { isMetaledgerError } from '../../src/errors.js';
import type { ItemDocument } from '../../src/events/document.js';
import type { StreamHead } from '../../src/events/read-stream-head.js';
import { StrictMetadataBulkOperationSchema, type StrictMetadataBulkOperationInput } from '../../src/protocol/index.js';

// Planning a bulk operation is pure: each record and its stream head in, the record's event or its error out.
const policy = { snapshotEvery: 10 };

function entriesOf(input: StrictMetadataBulkOperationInput, check?: Parameters<typeof bulkEntries>[3]) {
  return bulkEntries(StrictMetadataBulkOperationSchema.parse(input), input.records, policy, check);
}

function headOf(name: string, metadata: Record<string, unknown>, version = 1): StreamHead {
  const document = { id: `id-${name}`, type: 'object', name, scope: 'platform', metadata } as ItemDocument;
  return { itemId: `item-${name}`, version, hash: `h${version}`, document };
}

describe('bulk planning', () => {
  it('refuses one item twice in a call, naming both records', () => {
    const error = (() => {
      try {
        rejectDuplicates([
          { type: 'object', name: 'a' },
          { type: 'object', name: 'b' },
          { type: 'object', name: 'a' },
        ]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(isMetaledgerError(error, 'VALIDATION')).toBe(true);
    expect((error as { issues: { path: string; message: string }[] }).issues).toEqual([
      { path: 'records.2', message: 'object/a is already records.0; one call may touch an item once' },
    ]);
    expect(() =>
      rejectDuplicates([
        { type: 'object', name: 'a' },
        { type: 'view', name: 'a' },
      ]),
    ).not.toThrow();
  });

  it('create writes a new item and fails on an existing one as that record’s CONFLICT, not the call’s', () => {
    const [entry] = entriesOf({ operation: 'create', records: [{ type: 'object', name: 'a', metadata: { n: 1 } }] });
    const created = planRecord(entry, null);
    expect(created).toMatchObject({ ok: true, action: 'created', version: 1, event: { kind: 'created', version: 1 } });
    const refused = planRecord(entry, headOf('a', { n: 0 }));
    expect(refused).toMatchObject({ ok: false, result: { index: 0, ok: false, error: { code: 'CONFLICT' } } });
  });

  it('update fails on a missing item; upsert creates or updates; an unchanged record writes nothing', () => {
    const [update] = entriesOf({ operation: 'update', records: [{ type: 'object', name: 'a', metadata: { n: 2 } }] });
    expect(planRecord(update, null)).toMatchObject({ ok: false, result: { error: { code: 'NOT_FOUND' } } });
    const [upsert] = entriesOf({ operation: 'upsert', records: [{ type: 'object', name: 'a', metadata: { n: 2 } }] });
    expect(planRecord(upsert, null)).toMatchObject({ ok: true, action: 'created' });
    expect(planRecord(upsert, headOf('a', { n: 1 }, 4))).toMatchObject({ ok: true, action: 'updated', version: 5 });
    const same = planRecord(upsert, headOf('a', { n: 2 }, 4));
    expect(same).toMatchObject({ ok: true, action: 'unchanged', version: 4 });
    expect(same).not.toHaveProperty('event.kind');
  });

  it('delete checks the id when one is given', () => {
    const [entry] = entriesOf({ operation: 'delete', records: [{ type: 'object', name: 'a', id: 'id-other' }] });
    expect(planRecord(entry, headOf('a', {}))).toMatchObject({ ok: false, result: { error: { code: 'VALIDATION' } } });
    const [plain] = entriesOf({ operation: 'delete', records: [{ type: 'object', name: 'a' }] });
    expect(planRecord(plain, headOf('a', {}, 2))).toMatchObject({ ok: true, action: 'deleted', version: 3 });
  });

  it('a payload the type definition refuses is that record’s VALIDATION, every problem named', () => {
    const check = (_type: string, _name: string, metadata: Record<string, unknown>) =>
      typeof metadata.n === 'number' ? [] : [{ path: 'metadata.n', message: 'must be a number' }];
    const [good, bad] = entriesOf(
      {
        operation: 'create',
        records: [
          { type: 'object', name: 'good', metadata: { n: 1 } },
          { type: 'object', name: 'bad', metadata: { n: 'one' } },
        ],
      },
      check,
    );
    expect(planRecord(good, null)).toMatchObject({ ok: true });
    const refused = planRecord(bad, null);
    expect(refused).toMatchObject({ ok: false, result: { index: 1, error: { code: 'VALIDATION' } } });
    expect(refused.ok ? '' : refused.result.error?.message).toContain('must be a number');
  });
});
