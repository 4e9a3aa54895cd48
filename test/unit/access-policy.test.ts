import { describe, expect, it } from 'vitest';
import { refusalReason, type Operation } from '../../src/service/access-policy.js';
import { anonymous, operatorPrincipal, type Principal } from '../../src/service/principal.js';
import type { MetadataScope } from '../../src/protocol/index.js';

// Every cell of scope × who × operation (× allowSystem), against the rules as the protocol states them,
// without a database. The same matrix runs end to end in test/security/access-matrix.test.ts.
const alice: Principal = { id: 'alice', roles: ['editor'] };
const admin: Principal = { id: 'root', roles: ['admin'] };
const operator = operatorPrincipal('deploy');
const who = { anonymous, owner: alice, stranger: { id: 'bob', roles: [] } as Principal, admin, operator } as const;
const scopes: MetadataScope[] = ['system', 'platform', 'user'];
const operations: Operation[] = ['read', 'create', 'update', 'delete'];

function allowed(role: keyof typeof who, scope: MetadataScope, operation: Operation, allowSystem: boolean): boolean {
  const isAdmin = role === 'admin' || role === 'operator';
  if (role === 'anonymous') return operation === 'read' && scope !== 'user';
  if (operation === 'read') return scope !== 'user' || role === 'owner' || isAdmin;
  if (scope === 'system') return allowSystem && isAdmin;
  if (scope === 'platform') return isAdmin;
  return role === 'owner' || isAdmin;
}

const cells = Object.keys(who).flatMap((role) =>
  scopes.flatMap((scope) =>
    operations.flatMap((operation) => [false, true].map((allowSystem) => ({ role, scope, operation, allowSystem }))),
  ),
) as { role: keyof typeof who; scope: MetadataScope; operation: Operation; allowSystem: boolean }[];

describe('refusalReason: scope × principal × operation', () => {
  it('the operator principal is an admin', () => {
    expect(operator.roles).toContain('admin');
  });

  it.each(cells)('$role $operation on a $scope item (allowSystem $allowSystem)', ({ role, scope, operation, allowSystem }) => {
    const reason = refusalReason(who[role], operation, { type: 'object', name: 'account', scope, owner: 'alice' }, { allowSystem });
    if (allowed(role, scope, operation, allowSystem)) expect(reason).toBeUndefined();
    else expect(reason).toMatch(/\w+/);
  });

  it('an item without an owner is nobody’s: no principal named like "undefined" owns it', () => {
    expect(refusalReason({ id: 'undefined', roles: [] }, 'update', { type: 'object', name: 'x', scope: 'user' })).toMatch(/owner/);
  });
});
