import { expect } from 'vitest';
import type { Statement } from '../../src/datasource/statement.js';

/** The `$n` placeholders a statement's text uses, ascending and without repeats. */
export function placeholders(statement: Statement<unknown>): number[] {
  const numbers = [...statement.text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]));
  return [...new Set(numbers)].sort((a, b) => a - b);
}

/** The text with its whitespace runs collapsed, for comparing clauses regardless of layout. */
export function flat(statement: Statement<unknown>): string {
  return statement.text.replace(/\s+/g, ' ').trim();
}

/** Every statement binds exactly the values it uses, numbered from $1 without a hole, and has a kebab-case name. */
export function expectBound(statement: Statement<unknown>): void {
  expect(placeholders(statement)).toEqual(statement.values.map((_, i) => i + 1));
  expect(statement.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
}
