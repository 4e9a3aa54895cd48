import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

export type PatchOperation = Operation;

/** RFC 6902 operations turning `from` into `to`; absent states are the empty object. */
export function diffStates(from: object | null, to: object | null): PatchOperation[] {
  return fastJsonPatch.compare(from ?? {}, to ?? {});
}

/** Applies a patch to a copy of `state` (the input is never mutated). */
export function applyPatch<T extends object>(state: T | null, patch: PatchOperation[]): T {
  return fastJsonPatch.applyPatch(structuredClone(state ?? {}), patch, false, false).newDocument as T;
}
