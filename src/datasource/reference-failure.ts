import { ReferencedError, ValidationError } from '../errors.js';

/** SQLSTATEs of sql/0020's reference checks: the item is still named by others; a named item is not there. */
const referencedCode = 'ML423';
const missingTargetCode = 'ML422';

interface DatabaseError {
  code?: string;
  message?: string;
  detail?: string;
}

/** The typed error of a reference check the database refused, or undefined for any other failure. */
export function referenceFailure(error: unknown): ReferencedError | ValidationError | undefined {
  const { code, message = '', detail = '' } = (error ?? {}) as DatabaseError;
  if (code === referencedCode) {
    const referrers = JSON.parse(detail) as { type: string; name: string; path: string }[];
    const named = referrers.map((r) => `${r.type}/${r.name} (${r.path})`).join(', ');
    const target = message.replace(/ is referenced by .*$/s, '');
    return new ReferencedError(`${target} is referenced by ${named}; delete or change them first, or delete with force`, referrers);
  }
  if (code === missingTargetCode) {
    const { path } = JSON.parse(detail) as { path: string };
    return new ValidationError([{ path, message: `names ${message}` }], 'invalid reference');
  }
  return undefined;
}
