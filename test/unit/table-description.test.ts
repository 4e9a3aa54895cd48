import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { describeTable } from '../../src/table/framework-metadata-table.js';

describe('an index of the projection table', () => {
  const recordFields = ['id', 'name', 'type', 'namespace', 'scope', 'strategy', 'state', 'version', 'metadata', 'checksum'];
  const notAField = fc
    .oneof(fc.constantFrom('toString', 'constructor', 'hasOwnProperty', 'valueOf'), fc.string({ minLength: 1, maxLength: 20 }))
    .filter((name) => !recordFields.includes(name) && name !== '__proto__');

  it('over a name that is neither a record field nor a mapped column is refused, naming it and where', () => {
    fc.assert(
      fc.property(notAField, (field) => {
        let refused: unknown;
        try {
          describeTable({ indexes: [{ name: 'by_it', fields: [field] }] });
        } catch (error) {
          refused = error;
        }
        expect(refused).toBeInstanceOf(ValidationError);
        expect((refused as ValidationError).issues).toEqual([
          { path: 'tableSchema.indexes.0.fields.0', message: `"${field}" is neither a record field nor a mapped column` },
        ]);
      }),
    );
  });

  it('over a record field or its mapped column is accepted', () => {
    const table = describeTable({ columnMapping: { type: 'kind' }, indexes: [{ name: 'by_kind', fields: ['kind', 'name'] }] });
    expect(table.indexes.find((index) => index.name === '"by_kind"')).toMatchObject({ keys: ['"kind"', '"name"'] });
  });
});
