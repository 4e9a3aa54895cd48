/** Collects bound values while SQL text is assembled: each value becomes `$n`, never part of the text. */
export class SqlParameters {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }

  /** JSON values travel as jsonb text. */
  json(value: unknown): string {
    return this.add(JSON.stringify(value), 'jsonb');
  }
}
