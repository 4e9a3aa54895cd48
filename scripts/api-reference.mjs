// Writes docs/api.md, the API reference, from the TSDoc of everything src/index.ts exports (TypeScript's
// compiler API: no extra dependency). `--check` writes nothing: it fails when docs/api.md is not what
// this script would write, or when an export, a public member of an exported class, or an option (a
// property of an exported `…Options` type) has no TSDoc. A type inferred from a documented zod schema
// (`type X = z.infer<typeof XSchema>`) is documented by its schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'index.ts');
const output = join(root, 'docs', 'api.md');

const program = ts.createProgram([entry], {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry));

const resolve = (symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
const docOf = (symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
const examplesOf = (symbol) =>
  symbol
    .getJsDocTags(checker)
    .filter((tag) => tag.name === 'example')
    .map((tag) => ts.displayPartsToString(tag.text).trim());
const sourceOf = (declaration) => relative(root, declaration.getSourceFile().fileName).replaceAll('\\', '/');

function kindOf(declaration) {
  if (ts.isClassDeclaration(declaration)) return 'class';
  if (ts.isFunctionDeclaration(declaration)) return 'function';
  if (ts.isInterfaceDeclaration(declaration)) return 'interface';
  if (ts.isTypeAliasDeclaration(declaration)) return 'type';
  if (ts.isVariableDeclaration(declaration)) {
    const initializer = declaration.initializer;
    return initializer && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) ? 'function' : 'const';
  }
  return 'other';
}

/** `type X = z.infer<typeof XSchema>` (or z.input / z.output): documented by its schema. */
function schemaOf(declaration) {
  if (!ts.isTypeAliasDeclaration(declaration)) return undefined;
  const match = /^z\.(?:infer|input|output)<typeof (\w+)>$/.exec(declaration.type.getText());
  return match?.[1];
}

const isPublicMember = (member) => {
  const modifiers = ts.getCombinedModifierFlags(member);
  if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  return member.name !== undefined && !ts.isPrivateIdentifier(member.name) && !member.name.getText().startsWith('#');
};

function membersOf(symbol, declaration, kind) {
  const members = [];
  if (kind === 'class') {
    for (const member of declaration.members) {
      if (ts.isConstructorDeclaration(member) || !isPublicMember(member)) continue;
      if (!(ts.isMethodDeclaration(member) || ts.isPropertyDeclaration(member) || ts.isGetAccessorDeclaration(member))) continue;
      const memberSymbol = checker.getSymbolAtLocation(member.name);
      if (!memberSymbol || members.some((known) => known.name === memberSymbol.name)) continue;
      members.push({ name: memberSymbol.name, doc: docOf(memberSymbol), signature: memberSignature(member, memberSymbol) });
    }
  } else if (kind === 'interface' && symbol.name.endsWith('Options')) {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    for (const property of checker.getPropertiesOfType(type)) {
      const [propertyDeclaration] = property.declarations ?? [];
      if (!propertyDeclaration || sourceOf(propertyDeclaration).startsWith('node_modules')) continue;
      members.push({
        name: property.name,
        doc: docOf(property),
        signature: typeText(checker.getTypeOfSymbolAtLocation(property, propertyDeclaration)),
      });
    }
  }
  return members;
}

const typeText = (type) =>
  checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope);

/** As written in the source (zod-inferred types would otherwise expand to pages), else as the checker infers it. */
const written = (node) => node.getText().replace(/\s+/g, ' ');

function parametersText(declaration) {
  const signature = checker.getSignatureFromDeclaration(declaration);
  const returned = declaration.type ? written(declaration.type) : signature && typeText(checker.getReturnTypeOfSignature(signature));
  return `(${declaration.parameters.map(written).join(', ')})${returned ? `: ${returned}` : ''}`;
}

function memberSignature(member, symbol) {
  if (ts.isMethodDeclaration(member)) return parametersText(member);
  if (ts.isGetAccessorDeclaration(member) && member.type) return written(member.type);
  if ((ts.isPropertyDeclaration(member) || ts.isPropertySignature(member)) && member.type) return written(member.type);
  return typeText(checker.getTypeOfSymbolAtLocation(symbol, member));
}

function signatureOf(symbol, declaration, kind) {
  if (kind === 'function' && ts.isFunctionDeclaration(declaration)) return [`${symbol.name}${parametersText(declaration)}`];
  if (kind === 'function') {
    const type = checker.getTypeOfSymbolAtLocation(symbol, declaration);
    return type
      .getCallSignatures()
      .map((signature) => `${symbol.name}${checker.signatureToString(signature, undefined, ts.TypeFormatFlags.NoTruncation)}`);
  }
  return [];
}

function collect() {
  const items = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = resolve(exported);
    const declaration = symbol.declarations?.[0];
    if (!declaration) continue;
    const kind = kindOf(declaration);
    items.push({
      name: exported.name,
      kind,
      source: sourceOf(declaration),
      doc: docOf(symbol),
      schema: schemaOf(declaration),
      examples: examplesOf(symbol),
      signatures: signatureOf(symbol, declaration, kind),
      members: membersOf(symbol, declaration, kind),
    });
  }
  const documented = new Set(items.filter((item) => item.doc).map((item) => item.name));
  for (const item of items) if (!item.doc && item.schema && documented.has(item.schema)) item.doc = `What \`${item.schema}\` parses to.`;
  return items.sort((a, b) => a.source.localeCompare(b.source) || a.name.localeCompare(b.name));
}

function render(items) {
  const lines = [
    '# API reference',
    '',
    '<!-- Generated by `npm run docs:api` (scripts/api-reference.mjs) from the TSDoc of src/index.ts. Do not edit. -->',
    '',
    "Everything `import … from 'metaledger'` gives you, grouped by the file that defines it. The guides",
    'explain how the parts fit together: see the [guides](README.md).',
    '',
  ];
  let source;
  for (const item of items) {
    if (item.source !== source) {
      source = item.source;
      lines.push(`## ${source}`, '');
    }
    lines.push(`### ${item.name}`, '', `*${item.kind}*${item.doc ? ` — ${item.doc.replace(/\n+/g, ' ')}` : ''}`, '');
    for (const signature of item.signatures) lines.push('```ts', signature, '```', '');
    for (const example of item.examples) lines.push(example.startsWith('```') ? example : ['```ts', example, '```'].join('\n'), '');
    if (item.members.length > 0) {
      lines.push('| member | type | description |', '| --- | --- | --- |');
      for (const member of item.members) {
        const cell = (text) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
        lines.push(`| \`${member.name}\` | \`${cell(member.signature)}\` | ${cell(member.doc)} |`);
      }
      lines.push('');
    }
  }
  lines.push('---', '', '[All guides](README.md) · [README](../README.md)', '');
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}

function undocumented(items) {
  const missing = [];
  for (const item of items) {
    if (!item.doc) missing.push(item.name);
    for (const member of item.members) if (!member.doc) missing.push(`${item.name}.${member.name}`);
  }
  return missing;
}

const items = collect();
const text = render(items);
if (process.argv.includes('--check')) {
  const problems = undocumented(items).map((name) => `no TSDoc: ${name}`);
  let current = '';
  try {
    current = readFileSync(output, 'utf8');
  } catch {
    // a missing reference is reported below
  }
  if (current !== text) problems.push('docs/api.md is out of date: run npm run docs:api');
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`api reference: ${items.length} exports, every one documented; docs/api.md is current`);
} else {
  writeFileSync(output, text);
  console.log(`wrote docs/api.md: ${items.length} exports`);
}
