import { MetaledgerError } from '../errors.js';
import type { MetadataScope } from '../protocol/index.js';
import { isAdmin, isAnonymous, type Principal } from './principal.js';

/** What a call does to an item, as the access rules see it. */
export type Operation = 'read' | 'create' | 'update' | 'delete';

/** The fields of an item that decide who may touch it. */
export interface ProtectedItem {
  type: string;
  name: string;
  scope: MetadataScope;
  owner?: string;
}

/** Exceptions a trusted caller may ask for. */
export interface AccessFlags {
  /** A deploy or import that may change system items (they are read-only otherwise). */
  allowSystem?: boolean;
}

/**
 * The protocol's access control by scope: system items are read-only at runtime, platform items are
 * changed by admins, user items are seen and changed by their owner (and admins). The anonymous
 * principal (a call that names none) reads shared items and changes nothing. Trusted code names itself
 * (`operatorPrincipal`): there is no "no principal" that passes every rule. Returns why the call is
 * refused, or undefined when it is allowed.
 */
export function refusalReason(
  principal: Principal,
  operation: Operation,
  item: ProtectedItem,
  flags: AccessFlags = {},
): string | undefined {
  if (isAnonymous(principal)) {
    if (operation !== 'read') return 'the anonymous principal changes nothing; authenticate to write';
    return item.scope === 'user' ? 'user items are visible only to their owner' : undefined;
  }
  const admin = isAdmin(principal);
  const owns = item.owner !== undefined && item.owner === principal.id;
  if (operation === 'read') return item.scope !== 'user' || owns || admin ? undefined : 'user items are visible only to their owner';
  if (item.scope === 'system') {
    if (!flags.allowSystem) return 'system items are read-only at runtime; only a deploy or an import with allowSystem may change them';
    return admin ? undefined : 'changing system items needs the admin role';
  }
  if (item.scope === 'platform') return admin ? undefined : 'platform items need the admin role to change';
  return owns || admin ? undefined : 'user items can be changed only by their owner';
}

/** The principal may not do this (`FORBIDDEN`): `operation` and `reason` say what and why; the refusal is logged. */
export class ForbiddenError extends MetaledgerError {
  constructor(
    message: string,
    readonly operation: Operation,
    readonly reason: string,
  ) {
    super('FORBIDDEN', message);
  }
}
