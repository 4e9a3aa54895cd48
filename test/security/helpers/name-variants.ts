/**
 * Spellings of a key that look like it but are not it. Every public entry refuses them with VALIDATION,
 * before any lookup, access check or write.
 */
export interface NameVariant {
  label: string;
  of(name: string): string;
}

export const nonCanonicalVariants: NameVariant[] = [
  { label: 'leading space', of: (name) => ` ${name}` },
  { label: 'trailing space', of: (name) => `${name} ` },
  { label: 'tab', of: (name) => `\t${name}` },
  { label: 'newline', of: (name) => `${name}\n` },
  { label: 'no-break space', of: (name) => `\u00A0${name}` },
  { label: 'ideographic space', of: (name) => `${name}\u3000` },
  { label: 'zero-width space inside', of: (name) => `${name.slice(0, 1)}\u200B${name.slice(1)}` },
  { label: 'zero-width joiner at the end', of: (name) => `${name}\u200D` },
  { label: 'byte order mark', of: (name) => `\uFEFF${name}` },
  { label: 'NFD accent', of: (name) => `${name}e\u0301` },
];

/** The NFC spelling the NFD variant decomposes: a canonical name of its own. */
export const nfcOf = (name: string) => `${name}\u00E9`;

/** A case variant is canonical: another item, which must never read or change the original. */
export const caseVariant = (name: string) => name.toUpperCase();
