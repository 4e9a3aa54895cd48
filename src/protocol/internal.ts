import { z } from 'zod';

/** Re-raise the issues of a nested safeParse inside a transform / superRefine, keeping their paths. */
export function forwardIssues(ctx: z.RefinementCtx, error: z.ZodError): void {
  for (const issue of error.issues) {
    ctx.addIssue({ ...issue } as z.IssueData);
  }
}

/**
 * A single value or an array of them. Dispatching on Array.isArray (instead of z.union)
 * keeps the error messages of the branch the user actually meant.
 */
export function oneOrMany<T extends z.ZodTypeAny>(
  item: T,
  options: { nonEmpty: boolean; what: string },
): z.ZodType<z.output<T> | z.output<T>[], z.ZodTypeDef, z.input<T> | z.input<T>[]> {
  const many = options.nonEmpty ? z.array(item).min(1, { message: `${options.what} array must not be empty` }) : z.array(item);
  return z.unknown().transform((value, ctx) => {
    const result = (Array.isArray(value) ? many : item).safeParse(value);
    if (!result.success) {
      forwardIssues(ctx, result.error);
      return z.NEVER;
    }
    return result.data as z.output<T> | z.output<T>[];
  }) as unknown as z.ZodType<z.output<T> | z.output<T>[], z.ZodTypeDef, z.input<T> | z.input<T>[]>;
}
