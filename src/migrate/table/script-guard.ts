import { ValidationError, type ValidationIssue } from '../../errors.js';

/**
 * The first words of each top-level statement of a script: quoted text ('…', E'…', "…", $tag$…$tag$)
 * and comments (--, nested /* *\/) are skipped, so a keyword cannot hide behind them.
 */
export function statementHeads(script: string): string[] {
  const heads: string[] = [];
  let current = '';
  let i = 0;
  const skipQuoted = (quote: string, backslashEscapes: boolean) => {
    for (i++; i < script.length; i++) {
      if (backslashEscapes && script[i] === '\\') i++;
      else if (script[i] === quote) {
        if (script[i + 1] !== quote) return;
        i++;
      }
    }
  };
  while (i < script.length) {
    const char = script[i];
    const rest = script.slice(i);
    if (rest.startsWith('--')) {
      const end = script.indexOf('\n', i);
      i = end < 0 ? script.length : end;
      current += ' ';
    } else if (rest.startsWith('/*')) {
      let depth = 0;
      for (; i < script.length; i++) {
        if (script.startsWith('/*', i)) {
          depth++;
          i++;
        } else if (script.startsWith('*/', i) && --depth === 0) {
          i++;
          break;
        }
      }
      i++;
      current += ' ';
    } else if (char === "'" || char === '"') {
      const backslashEscapes = char === "'" && /[eE]$/.test(current) && !/[A-Za-z0-9_][eE]$/.test(current);
      skipQuoted(char, backslashEscapes);
      i++;
      current += ' q ';
    } else if (char === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(rest) && !/[A-Za-z0-9_]$/.test(current)) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest)![0];
      const end = script.indexOf(tag, i + tag.length);
      i = end < 0 ? script.length : end + tag.length;
      current += ' q ';
    } else if (char === ';') {
      heads.push(current.trim().toLowerCase());
      current = '';
      i++;
    } else {
      current += char;
      i++;
    }
  }
  heads.push(current.trim().toLowerCase());
  return heads.filter((head) => head !== '').map((head) => head.split(/\s+/).slice(0, 2).join(' '));
}

// A script runs inside the driver's transaction, which checks before commit what the script changed;
// a COMMIT (or END) inside it would end that transaction early and let the rest run unchecked.
const transactionControl = /^(begin|start|commit|end|rollback|abort|savepoint|release|prepare transaction)\b/;

/** Refuses, before anything runs, a script that would take over the driver's transaction. */
export function checkScript(script: string | undefined, path: string): ValidationIssue[] {
  if (script === undefined) return [];
  const control = statementHeads(script).find((head) => transactionControl.test(head));
  return control
    ? [{ path, message: `the script controls the transaction (${control}); the driver runs each script in a transaction of its own` }]
    : [];
}

export function assertScriptsAllowed(scripts: Record<string, string | undefined>): void {
  const issues = Object.entries(scripts).flatMap(([path, script]) => checkScript(script, path));
  if (issues.length > 0) throw new ValidationError(issues, 'migration script refused');
}
