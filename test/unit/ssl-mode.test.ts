import { describe, expect, it } from 'vitest';
import { sslFor } from '../../src/datasource/ssl-mode.js';

describe('sslMode as node-postgres ssl options (libpq meanings)', () => {
  it('is left to config.ssl when not given', () => {
    expect(sslFor(undefined, undefined)).toBeUndefined();
    expect(sslFor(true, undefined)).toBe(true);
    expect(sslFor({ ca: 'pem' }, undefined)).toEqual({ ca: 'pem' });
  });

  it('disable turns TLS off', () => {
    expect(sslFor(undefined, 'disable')).toBe(false);
    expect(sslFor(false, 'disable')).toBe(false);
  });

  it('require encrypts without checking the certificate, unless ssl asks to check it', () => {
    expect(sslFor(undefined, 'require')).toEqual({ rejectUnauthorized: false });
    expect(sslFor(true, 'require')).toEqual({ rejectUnauthorized: false });
    expect(sslFor({ ca: 'pem', rejectUnauthorized: true }, 'require')).toEqual({ ca: 'pem', rejectUnauthorized: true });
  });

  it('verify-ca checks the chain but not the host name; verify-full checks both', () => {
    const ca = sslFor({ ca: 'pem' }, 'verify-ca') as Record<string, unknown>;
    expect(ca).toMatchObject({ ca: 'pem', rejectUnauthorized: true });
    expect((ca.checkServerIdentity as () => unknown)()).toBeUndefined();
    expect(sslFor({ ca: 'pem' }, 'verify-full')).toEqual({ ca: 'pem', rejectUnauthorized: true });
  });

  it('refuses what node-postgres cannot do and what contradicts config.ssl, naming config.sslMode', () => {
    const cases: [Parameters<typeof sslFor>[0], Parameters<typeof sslFor>[1], RegExp][] = [
      [undefined, 'allow', /falls back/],
      [undefined, 'prefer', /falls back/],
      [true, 'disable', /config\.ssl turns it on/],
      [false, 'require', /config\.ssl is false/],
      [false, 'verify-full', /config\.ssl is false/],
      [{ rejectUnauthorized: false }, 'verify-ca', /rejectUnauthorized is false/],
    ];
    for (const [ssl, mode, message] of cases) {
      expect(() => sslFor(ssl, mode), `${JSON.stringify(ssl)} ${mode}`).toThrow(
        expect.objectContaining({ code: 'VALIDATION', issues: [{ path: 'config.sslMode', message: expect.stringMatching(message) }] }),
      );
    }
  });
});
