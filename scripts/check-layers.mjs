// Dependencies point one way between folders, not only between files: this fails when the folders of
// src/ (and the top-level projections/) import each other in a cycle, and names the imports that close it.
import fs from 'node:fs';
import path from 'node:path';

const roots = ['src', 'projections'];
const files = roots.flatMap(function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : [];
  });
});

/** A file's layer: its first folder under src/ (a file directly in src/ is a layer of its own), or projections. */
const layerOf = (file) => {
  const parts = file.split(path.sep);
  if (parts[0] !== 'src') return parts[0];
  return parts.length > 2 ? `src/${parts[1]}` : file;
};

const edges = new Map();
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  for (const [, specifier] of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = path.normalize(path.join(path.dirname(file), specifier)).replace(/\.js$/, '.ts');
    const [from, to] = [layerOf(file), layerOf(target)];
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${file} imports ${target}`);
  }
}

// strongly connected components (Tarjan): any with more than one layer is a cycle
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(node) {
  state.set(node, { index, low: index, onStack: true });
  index++;
  stack.push(node);
  for (const next of edges.get(node)?.keys() ?? []) {
    if (!state.has(next)) {
      visit(next);
      state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
    } else if (state.get(next).onStack) state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
  }
  if (state.get(node).low === state.get(node).index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component);
  }
}
for (const node of edges.keys()) if (!state.has(node)) visit(node);

for (const component of cycles) {
  console.error(`import cycle between ${component.join(', ')}:`);
  for (const from of component)
    for (const [to, example] of edges.get(from) ?? []) if (component.includes(to)) console.error(`  ${from} -> ${to}: ${example}`);
}
if (cycles.length > 0) process.exit(1);
console.log(
  `layers: ${new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]).size} folders, no import cycle between them`,
);
