import { ValidationError } from '../../errors.js';

/**
 * Splits a path into the metadata document into its keys: dotted ('fields.amount.label') or
 * JSON-Pointer-like ('/fields/amount'). The keys travel as a bound text[]; they never enter SQL text.
 */
export function pathSegments(path: string, where: string): string[] {
  const segments = path.startsWith('/') ? path.slice(1).split('/') : path.split('.');
  if (segments.some((segment) => segment === '')) {
    throw new ValidationError([{ path: where, message: `${JSON.stringify(path)} has an empty key` }], 'invalid metadata path');
  }
  return segments;
}

/** A numeric key may index an array, which containment (@>) cannot express. */
export function addressesArrays(segments: string[]): boolean {
  return segments.some((segment) => /^\d+$/.test(segment));
}

/** `{ a: { b: value } }` for the keys a, b: the document fragment a containment test looks for. */
export function nestUnder(segments: string[], value: unknown): unknown {
  return segments.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}
