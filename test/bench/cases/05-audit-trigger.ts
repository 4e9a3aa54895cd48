import { benchRow, type BenchCase } from '../bench-case.js';
import { indicesUsed, measureInterleaved, type RunShape } from '../measure.js';
import { benchType, itemMetadata, itemName } from '../workload.js';

const name = 'audit-trigger';

/**
 * What users build instead of an event store: a plain table whose AFTER INSERT OR UPDATE trigger copies
 * the old and new row as JSONB into a history table.
 */
const auditTableDdl = `
CREATE TABLE audited_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type varchar(100) NOT NULL,
  name varchar(255) NOT NULL,
  metadata jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (type, name)
);
CREATE TABLE audited_items_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id uuid NOT NULL,
  operation text NOT NULL,
  old_row jsonb,
  new_row jsonb NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION audited_items_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audited_items_history (item_id, operation, old_row, new_row)
  VALUES (NEW.id, TG_OP, CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END, to_jsonb(NEW));
  RETURN NULL;
END
$$;
CREATE TRIGGER audited_items_history AFTER INSERT OR UPDATE ON audited_items
  FOR EACH ROW EXECUTE FUNCTION audited_items_record();`;

const upsert = `
INSERT INTO audited_items (type, name, metadata) VALUES ($1, $2, $3)
ON CONFLICT (type, name) DO UPDATE SET metadata = excluded.metadata, version = audited_items.version + 1, updated_at = now()`;

const auditTrigger: BenchCase = {
  name,
  async run({ sizes, openStore, openPool }) {
    const store = await openStore();
    const pool = openPool();
    await pool.query(auditTableDdl);
    const save = (i: number, revision: number) => store.save(benchType, { name: itemName('item', i), metadata: itemMetadata(i, revision) });
    const upsertRow = (i: number, revision: number) => pool.query(upsert, [benchType, itemName('item', i), itemMetadata(i, revision)]);
    const shape: RunShape = { ops: sizes.ops, concurrency: 1, warmup: sizes.warmup, rounds: sizes.rounds, profileOps: sizes.profileOps };
    const created = indicesUsed(shape);
    const [saveNew, upsertNew] = await measureInterleaved(
      [
        { name: 'metaledger save (new)', op: (i) => save(i, 1) },
        { name: 'audit-trigger upsert', op: (i) => upsertRow(i, 1) },
      ],
      shape,
    );
    const [saveUpdate, upsertUpdate] = await measureInterleaved(
      [
        { name: 'metaledger save (update)', op: (i) => save(i % created, i + 2) },
        { name: 'audit-trigger upsert', op: (i) => upsertRow(i % created, i + 2) },
      ],
      shape,
    );
    return [
      benchRow({ case: name, operation: 'save new item vs audit trigger', result: saveNew, baseline: upsertNew, target: { minRatio: 1 } }),
      benchRow({
        case: name,
        operation: 'save update vs audit trigger',
        result: saveUpdate,
        baseline: upsertUpdate,
        target: { minRatio: 1 },
      }),
    ];
  },
};

export default auditTrigger;
