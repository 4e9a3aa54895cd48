import type { ValidationIssue } from '../errors.js';

/** The problems of one item's payload against its type's definition, each with its path (none for an untyped type). */
export type PayloadCheck = (type: string, name: string, metadata: Record<string, unknown>) => ValidationIssue[];
