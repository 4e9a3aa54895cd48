import { ValidationError } from '../errors.js';

/** Who is calling: an id (matched against `owner` of user items) and roles ('admin' changes platform items). */
export interface Principal {
  id: string;
  roles: string[];
}

/** The principal of a call that names none: it may read shared items and change nothing. */
export const anonymous: Principal = Object.freeze({ id: 'anonymous', roles: [] as string[] });

export const isAdmin = (principal: Principal): boolean => principal.roles.includes('admin');

/** `alice` or `alice:admin,editor`, as the CLI's `--as` takes it. */
export function parsePrincipal(text: string): Principal {
  const [id, roles = ''] = text.split(':', 2);
  if (!/^[^\s:,]+$/.test(id))
    throw new ValidationError([{ path: 'as', message: `'${text}' is not a principal; write id or id:role,role` }], 'invalid principal');
  return {
    id,
    roles: roles
      .split(',')
      .map((role) => role.trim())
      .filter(Boolean),
  };
}
