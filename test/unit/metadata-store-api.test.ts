import { describe, expect, it } from 'vitest';
import { MetadataStore } from '../../src/index.js';

describe('MetadataStore', () => {
  it('has no public constructor: a store is opened with createMetadataStore', () => {
    // Arguments any parameter type accepts: only the constructor's being private makes the call a type error,
    // and `npm run typecheck` (test/ included) fails when the directive below is no longer needed.
    const internalArguments = [] as unknown as [never, never, never];
    // @ts-expect-error the constructor is private; createMetadataStore builds and starts the store
    const construct = () => new MetadataStore(...internalArguments);
    expect(construct).toThrow(TypeError);
  });
});
