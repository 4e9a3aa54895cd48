// Writes docs/api.md, the API reference, from the TSDoc of everything src/index.ts exports (TypeScript's
// compiler API: no extra dependency). `--check` writes nothing: it fails when docs/api.md is not what
// this script would write, or when an export, a public member of an exported class, an option (a
// property of an exported `…Options` type) or a field of an exported zod object schema has no TSDoc. A
// type inferred from a documented zod schema (`type X = z.infer<typeof XSchema>`) is documented by its
// schema, and its properties by the schema's fields: TypeScript carries a field's doc comment to the
// inferred property, so every field needs one (nested objects' fields too, wherever the schema reaches).
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
  if (!ts.isTypeAliasDeclaration(declaration) || !/^z\.(?:infer|input|output)<typeof \w+>$/.test(declaration.type.getText()))
    return undefined;
  const query = declaration.type.typeArguments?.[0];
  if (!query || !ts.isTypeQueryNode(query)) return undefined;
  const schema = checker.getSymbolAtLocation(query.exprName);
  return schema && { name: schema.name, doc: docOf(resolve(schema)) };
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

/* ------------------------------------------------ fields of zod object schemas */

/** The type of a type's property `name`, if it has one. */
const propertyType = (type, name) => {
  const property = type.getProperty(name);
  return property && checker.getTypeOfSymbol(property);
};

/** The schemas a zod type wraps: inner types (optional, default, effects, …), array elements, union options. */
function wrappedSchemas(type) {
  const def = propertyType(type, '_def');
  const inner = def ? ['innerType', 'schema', 'type', 'valueType', 'in', 'out'].map((key) => propertyType(def, key)) : [];
  const options = def && propertyType(def, 'options');
  return [...inner, ...(options ? elementsOf(options) : [])].filter(Boolean);
}

/** The members of a tuple, array or union type. */
function elementsOf(type) {
  if (checker.isTupleType(type) || checker.isArrayType(type)) return checker.getTypeArguments(type).flatMap(elementsOf);
  if (type.isUnion()) return type.types.flatMap(elementsOf);
  return [type];
}

/**
 * Every field a zod schema type reaches: the fields of its object schema(s), through wrappers (refine,
 * default, optional, arrays, unions), then the fields of the objects they hold, each with its path.
 */
function schemaFieldsOf(type, path = [], seen = new Set()) {
  if (seen.has(type)) return [];
  seen.add(type);
  if (type.getSymbol()?.name !== 'ZodObject') return wrappedSchemas(type).flatMap((inner) => schemaFieldsOf(inner, path, seen));
  const shape = propertyType(type, 'shape');
  return checker.getPropertiesOfType(shape).flatMap((property) => {
    const fieldType = checker.getTypeOfSymbol(property);
    const field = { path: [...path, property.name], property, type: fieldType, declaration: property.declarations?.[0] };
    return [field, ...schemaFieldsOf(fieldType, field.path, seen)];
  });
}

/** Where a field is declared, for messages: `file:line`. */
function locationOf(declaration) {
  if (!declaration) return 'no declaration: give the schema its fields as an object literal or a mapped type of one';
  const { line } = declaration.getSourceFile().getLineAndCharacterOfPosition(declaration.getStart());
  return `${sourceOf(declaration)}:${line + 1}`;
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** A field's zod expression as written, functions shown as `…` (refinements would fill the cell), else its input type. */
function fieldSignature(field) {
  const { declaration } = field;
  const initializer = declaration && ts.isPropertyAssignment(declaration) ? declaration.initializer : undefined;
  if (!initializer || checker.getTypeAtLocation(initializer) !== field.type) {
    const input = propertyType(field.type, '_input');
    return input ? typeText(input) : typeText(field.type);
  }
  const elide = (context) => (root) => {
    const visit = (node) =>
      ts.isArrowFunction(node) || ts.isFunctionExpression(node)
        ? ts.factory.createIdentifier('…')
        : ts.visitEachChild(node, visit, context);
    return ts.visitNode(root, visit);
  };
  const [elided] = ts.transform(initializer, [elide]).transformed;
  return printer
    .printNode(ts.EmitHint.Expression, elided, initializer.getSourceFile())
    .replace(/\n\s*(?=\.)/g, '') // a method chain on one line
    .replace(/,(?=\s*\n\s*[}\]])/g, '') // and no trailing commas
    .replace(/\s+/g, ' ');
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
      fields: kind === 'const' ? schemaFieldsOf(checker.getTypeOfSymbolAtLocation(symbol, declaration)) : [],
    });
  }
  // a field reached from several schemas (nested, extended) is named by its shortest path, e.g. DatasourceSchema.pool
  const names = new Map();
  for (const item of items) {
    for (const field of item.fields) {
      field.name = [item.name, ...field.path].join('.');
      const known = names.get(field.declaration ?? field.name);
      if (!known || field.path.length + 1 < known.split('.').length) names.set(field.declaration ?? field.name, field.name);
    }
  }
  for (const item of items) {
    for (const field of item.fields) field.owned = names.get(field.declaration ?? field.name) === field.name;
    // the schema's own fields, and the nested fields no other exported schema lists more directly
    item.fieldRows = item.fields
      .filter((field) => field.path.length === 1 || field.owned)
      .map((field) => ({ name: field.path.join('.'), doc: docOf(field.property), signature: fieldSignature(field) }));
  }
  const documented = new Set(items.filter((item) => item.doc).map((item) => item.name));
  // an exported schema is documented beside it; a schema kept inside lends its own words
  for (const item of items) {
    if (item.doc || !item.schema?.doc) continue;
    item.doc = documented.has(item.schema.name) ? `What \`${item.schema.name}\` parses to.` : item.schema.doc;
  }
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
    for (const [rows, heading] of [
      [item.members, 'member | type'],
      [item.fieldRows, 'field | schema'],
    ]) {
      if (rows.length === 0) continue;
      lines.push(`| ${heading} | description |`, '| --- | --- | --- |');
      for (const row of rows) {
        const cell = (text) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
        lines.push(`| \`${row.name}\` | \`${cell(row.signature)}\` | ${cell(row.doc)} |`);
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

/** Every field of an exported schema, once (by the name of its shortest path), with whether it has TSDoc. */
const schemaFields = (items) =>
  items
    .flatMap((item) => item.fields.filter((field) => field.owned))
    .map((field) => ({ ...field, documented: docOf(field.property) !== '' }));

/** Schema fields without TSDoc (`Schema.field (file:line)`), and how many fields there are. */
function fieldProblems(items) {
  const fields = schemaFields(items);
  return {
    failing: fields.filter((field) => !field.documented).map((field) => `${field.name} (${locationOf(field.declaration)})`),
    total: fields.length,
  };
}

const items = collect();
const text = render(items);
if (process.argv.includes('--check')) {
  const problems = undocumented(items).map((name) => `no TSDoc: ${name}`);
  const fields = fieldProblems(items);
  problems.push(...fields.failing.map((name) => `no TSDoc on schema field: ${name}`));
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
  console.log(`api reference: ${items.length} exports and ${fields.total} schema fields, every one documented; docs/api.md is current`);
} else {
  writeFileSync(output, text);
  console.log(`wrote docs/api.md: ${items.length} exports`);
}
