/** Removes passwords from anything that may end up in an error message or a log line. */
export function redactSecrets(text: string, secrets: (string | undefined)[] = []): string {
  let redacted = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret) redacted = redacted.split(secret).join('***');
  }
  return redacted;
}
