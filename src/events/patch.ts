import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

export type PatchOperation = Operation;

/** RFC 6902 operations turning `from` into `to`; absent states are the empty object. */
export function diffStates(from: object | null, to: object | null): PatchOperation[] {
  return fastJsonPatch.compare(from ?? {}, to ?? {});
}

/** Applies a patch to a copy of `state` (the input is never mutated). */
export function applyPatch<T extends object>(state: T | null, patch: PatchOperation[]): T {
  return applyPatchInPlace(structuredClone(state ?? {}) as T, patch);
}

/**
 * Applies a patch by changing `state` itself (the result may still be a new object when the patch
 * replaces the root). For folds that own their state: a copy per event is most of a long replay's cost.
 */
export function applyPatchInPlace<T extends object>(state: T | null, patch: PatchOperation[]): T {
  return fastJsonPatch.applyPatch(state ?? {}, patch, false, true).newDocument as T;
}
