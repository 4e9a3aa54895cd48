import { setMember } from '../events/json-members.js';
import { ROOT_PATH } from '../protocol/issues.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { describeType } from './canonical-text.js';
import type { InputLimits } from './input-limits.js';

/**
 * Input is JSON or refused. One pass over a value copies it into plain JSON (plain objects and arrays,
 * strings, finite numbers, booleans, null) or reports, with their paths, what JSON cannot hold faithfully:
 * NaN and ±Infinity, BigInt, Symbols, functions, undefined array elements and holes, Dates, Maps, Sets and
 * other class instances, Symbol keys,
 * cycles, strings with NUL characters (PostgreSQL cannot store them) or lone surrogates (not Unicode), and
 * values past the limits. An own `__proto__` key (as `JSON.parse` makes one) is kept as a member. Two things are taken as JSON does: an object property whose value is
 * `undefined` is absent, and -0 is 0. The copy is what gets stored: a getter or a proxy is read once, and
 * nothing the caller changes afterwards reaches the store.
 */

const MAX_ISSUES = 20;

/** Stops the walk: a limit was passed, or enough problems were found. */
class Stop extends Error {}

const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

function notPlain(value: object): string {
  if (value instanceof Date) return 'a Date is not JSON: pass date.toISOString()';
  if (value instanceof Map) return 'a Map is not JSON: pass Object.fromEntries(map)';
  if (value instanceof Set) return 'a Set is not JSON: pass [...set]';
  return `${describeType(value)} is not a plain JSON object`;
}

function stringProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which PostgreSQL cannot store';
  if (!isWellFormed(text)) return 'contains a lone surrogate (half of a UTF-16 pair), which is not valid Unicode';
  return undefined;
}

class DocumentWalker {
  readonly issues: ValidationIssue[] = [];
  private keys = 0;
  private bytes = 0;
  private readonly path: (string | number)[] = [];
  private readonly ancestors: object[] = [];

  constructor(
    private readonly limits: InputLimits,
    private readonly prefix: string,
  ) {}

  copy(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        if (!Number.isFinite(value)) return this.fail(`${value} is not a JSON number (NaN and ±Infinity are refused)`);
        this.count(String(value).length);
        return value === 0 ? 0 : value; // -0 has no JSON form
      case 'boolean':
        this.count(value ? 4 : 5);
        return value;
      case 'object':
        if (value === null) {
          this.count(4);
          return null;
        }
        return Array.isArray(value) ? this.array(value, depth) : this.object(value, depth);
      case 'bigint':
        return this.fail('a BigInt is not JSON: pass a number or a string');
      case 'symbol':
        return this.fail('a Symbol is not JSON');
      case 'function':
        return this.fail('a function is not JSON');
      default:
        return this.fail('undefined is not JSON');
    }
  }

  /** Records a problem at the current path. */
  fail(message: string): undefined {
    const where = this.path.length === 0 ? this.prefix.replace(/\.$/, '') || ROOT_PATH : `${this.prefix}${this.path.join('.')}`;
    this.issues.push({ path: where, message });
    if (this.issues.length >= MAX_ISSUES) throw new Stop();
    return undefined;
  }

  private failAndStop(message: string): never {
    this.fail(message);
    throw new Stop();
  }

  private count(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.limits.maxBytes) {
      this.path.length = 0;
      this.failAndStop(`larger than ${this.limits.maxBytes} bytes of JSON (limits.maxBytes)`);
    }
  }

  private entry(): void {
    if (++this.keys > this.limits.maxKeys) {
      this.path.length = 0;
      this.failAndStop(`more than ${this.limits.maxKeys} keys and array elements (limits.maxKeys)`);
    }
  }

  private string(text: string): string | undefined {
    this.count(Buffer.byteLength(text) + 2);
    const problem = stringProblem(text);
    return problem ? this.fail(`the string ${problem}`) : text;
  }

  private enter(value: object, depth: number): boolean {
    if (depth > this.limits.maxDepth) this.failAndStop(`nested deeper than ${this.limits.maxDepth} levels (limits.maxDepth)`);
    if (this.ancestors.includes(value)) {
      this.fail('a cycle: this value contains itself');
      return false;
    }
    this.ancestors.push(value);
    return true;
  }

  private array(value: unknown[], depth: number): unknown[] | undefined {
    if (Object.getPrototypeOf(value) !== Array.prototype) return this.fail(`${describeType(value)} is not a plain JSON array`);
    if (!this.enter(value, depth)) return undefined;
    const copy: unknown[] = new Array(value.length);
    this.count(2);
    for (let i = 0; i < value.length; i++) {
      this.entry();
      this.path.push(i);
      const element = value[i];
      if (element === undefined) this.fail('undefined or a hole in an array (JSON would turn it into null)');
      else copy[i] = this.copy(element, depth + 1);
      this.count(1);
      this.path.pop();
    }
    this.ancestors.pop();
    return copy;
  }

  private object(value: object, depth: number): Record<string, unknown> | undefined {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return this.fail(notPlain(value));
    if (Object.getOwnPropertySymbols(value).length > 0) this.fail('has Symbol keys, which JSON cannot hold');
    if (!this.enter(value, depth)) return undefined;
    const copy: Record<string, unknown> = {};
    this.count(2);
    for (const key of Object.keys(value)) {
      this.path.push(key);
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) {
        this.entry();
        this.count(Buffer.byteLength(key) + 4);
        const problem = stringProblem(key);
        if (problem) this.fail(`the key ${problem}`);
        else setMember(copy, key, this.copy(child, depth + 1));
      }
      this.path.pop();
    }
    this.ancestors.pop();
    return copy;
  }
}

/**
 * A plain JSON copy of `value`, or the problems found (at most 20; a passed limit stops the walk). Paths
 * start with `prefix` (e.g. `records.3.`); the value itself is `(root)` without one.
 */
export function copyJson(value: unknown, limits: InputLimits, prefix = ''): { value: unknown; issues: ValidationIssue[] } {
  const walker = new DocumentWalker(limits, prefix);
  let copy: unknown;
  try {
    copy = walker.copy(value, 0);
  } catch (error) {
    if (!(error instanceof Stop)) walker.fail(`reading the value threw: ${(error as Error)?.message ?? String(error)}`);
  }
  return { value: copy, issues: walker.issues };
}

/** The plain JSON copy of `value`, or VALIDATION (`invalid <what>`) listing every problem with its path. */
export function jsonInput<T = unknown>(value: unknown, limits: InputLimits, what: string): T {
  const { value: copy, issues } = copyJson(value, limits);
  if (issues.length > 0) throw new ValidationError(issues, `invalid ${what}`);
  return copy as T;
}
