import { ValidationError, type ValidationIssue } from '../errors.js';
import { describeType, identityProblem } from '../input/canonical-text.js';

/** Who is calling: an id (matched against `owner` of user items) and roles ('admin' changes platform items). */
export interface Principal {
  id: string;
  roles: string[];
}

/** The id of the principal of a call that names none. It is reserved: whatever roles it claims, it reads shared items and changes nothing. */
export const ANONYMOUS_ID = 'anonymous';

/** The principal of a call that names none: it may read shared items and change nothing. */
export const anonymous: Principal = Object.freeze({ id: ANONYMOUS_ID, roles: Object.freeze([]) as unknown as string[] });

export const isAnonymous = (principal: Principal): boolean => principal.id === ANONYMOUS_ID;

export const isAdmin = (principal: Principal): boolean => !isAnonymous(principal) && principal.roles.includes('admin');

/**
 * Trusted code acting under its own name — the operator's CLI without `--as`, a deploy script, a
 * migration — says so explicitly with this principal: an admin, so every scope rule passes except that
 * system items still need `allowSystem`.
 */
export function operatorPrincipal(id = 'operator'): Principal {
  return checkPrincipal({ id, roles: ['admin'] });
}

const MAX_ROLES = 100;

/** A principal as a call gives it: an object with a canonical id and a list of canonical roles; VALIDATION otherwise. */
export function checkPrincipal(value: unknown, path = 'principal'): Principal {
  const issues: ValidationIssue[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ path, message: `must be { id, roles }, not ${describeType(value)}` });
  } else {
    const { id, roles } = value as Partial<Principal>;
    const idProblem = identityProblem(id);
    if (idProblem) issues.push({ path: `${path}.id`, message: `id ${idProblem}` });
    if (!Array.isArray(roles) || roles.length > MAX_ROLES)
      issues.push({ path: `${path}.roles`, message: `must be an array of at most ${MAX_ROLES} roles` });
    else
      roles.forEach((role, i) => {
        const problem = identityProblem(role);
        if (problem) issues.push({ path: `${path}.roles.${i}`, message: `role ${problem}` });
      });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'invalid principal');
  return value as Principal;
}

/** `alice` or `alice:admin,editor`, as the CLI's `--as` takes it. */
export function parsePrincipal(text: string): Principal {
  const [id, roles = ''] = text.split(':', 2);
  if (!/^[^\s:,]+$/.test(id))
    throw new ValidationError([{ path: 'as', message: `'${text}' is not a principal; write id or id:role,role` }], 'invalid principal');
  return checkPrincipal(
    {
      id,
      roles: roles
        .split(',')
        .map((role) => role.trim())
        .filter(Boolean),
    },
    'as',
  );
}
