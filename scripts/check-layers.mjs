// Proves the layering of DESIGN.md §1 from the import lines of src/: no folder imports a folder above it, contract/
// imports nothing of ours, and there are no import cycles between folders. Prints each violation and exits 1.
//   node scripts/check-layers.mjs [SRC_DIR]    (default: src/ of this checkout)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The units of src/ (its top-level folders, and the files directly in it), lowest layer first. A unit may import
 * units of its own layer or of lower ones; imports within one layer must still not form a cycle.
 */
const LAYERS = [
  // Zod schemas of everything that crosses a boundary; the dashboard imports them too. Imports nothing of ours.
  ['contract'],
  // Where the package is installed, its version, and the user's cache folder.
  ['package-info.ts', 'version.ts', 'user-cache-dir.ts'],
  // The confiner and the confined file system, shared by the sandbox and the Files API.
  ['fs'],
  ['sandbox'],
  // The policy, the gate and the approvals broker.
  ['permissions'],
  // Paths, stores and settings; settings compose the sandbox's and the permissions' sub-schemas.
  ['workspace'],
  // Published folders: their list and the confined static handler the server mounts at /sites/.
  ['sites'],
  // Providers, catalog, redaction; the logger redacts with the models' redactor.
  ['models', 'log.ts', 'log-pretty.ts'],
  ['tools'],
  // MCP servers: a tool source over the official client.
  ['mcp'],
  ['agent', 'automation'],
  // Team mode: the shared Postgres database (schema, roles) that servers and workers on several machines use.
  ['team'],
  // The composition root: builds one runtime per workspace.
  ['runtime'],
  ['server', 'cli', 'cli.ts'],
  // The single executable's launcher: unpacks the package and starts dist/cli.js, which it imports by path, not source.
  ['sea'],
];

const LEVEL = new Map(LAYERS.flatMap((units, level) => units.map((unit) => [unit, level])));
const SOURCE = /\.(ts|tsx|mts)$/;

// Static imports and re-exports (type-only ones too; they may span lines), side-effect imports, and import().
const IMPORT_PATTERNS = [
  /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) ? [path] : [];
  });
}

/** The unit a path inside src/ belongs to: its top-level folder, or the file itself when it lies directly in src/. */
function unitOf(srcDir, path) {
  const parts = relative(srcDir, path).split(sep);
  if (parts.length > 1) return parts[0];
  const name = parts[0];
  return SOURCE.test(name) ? name : `${name}.ts`;
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return IMPORT_PATTERNS.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]));
}

/** Groups of units that import each other round (strongly connected, more than one unit), found with Tarjan's algorithm. */
function stronglyConnected(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const groups = [];
  const visit = (unit) => {
    index.set(unit, index.size);
    low.set(unit, index.get(unit));
    stack.push(unit);
    for (const to of edges.get(unit)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(unit, Math.min(low.get(unit), low.get(to)));
      } else if (stack.includes(to)) low.set(unit, Math.min(low.get(unit), index.get(to)));
    }
    if (low.get(unit) !== index.get(unit)) return;
    const group = [];
    let member;
    do {
      member = stack.pop();
      group.push(member);
    } while (member !== unit);
    if (group.length > 1) groups.push(group);
  };
  for (const unit of edges.keys()) if (!index.has(unit)) visit(unit);
  return groups;
}

/** A shortest cycle through `start` that stays inside `group`, as the units it passes, `start` first and last. */
function shortestCycle(edges, group, start) {
  const inside = new Set(group);
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const unit = queue.shift();
    for (const to of edges.get(unit)?.keys() ?? []) {
      if (!inside.has(to) || previous.has(to)) continue;
      if (to === start) {
        const path = [];
        for (let at = unit; at !== start; at = previous.get(at)) path.unshift(at);
        return [start, ...path, start];
      }
      previous.set(to, unit);
      queue.push(to);
    }
  }
  throw new Error(`${start} is in no cycle of ${group.join(', ')}`);
}

function checkLayers(srcDir) {
  const violations = [];
  /** unit → unit → the import lines that make the edge, as `file → specifier`. */
  const edges = new Map();
  const files = sourceFiles(srcDir).sort();
  for (const file of files) {
    const from = unitOf(srcDir, file);
    const shown = relative(process.cwd(), file).split(sep).join('/');
    if (!LEVEL.has(from))
      violations.push(`${shown}: ${from} is in no layer; place it in LAYERS of scripts/check-layers.mjs`);
    for (const specifier of importsOf(file)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      if (relative(srcDir, target).startsWith('..')) continue;
      const to = unitOf(srcDir, target);
      if (to === from) continue;
      const line = `${shown} → ${specifier}`;
      if (!edges.has(from)) edges.set(from, new Map());
      const lines = edges.get(from).get(to) ?? [];
      if (lines.includes(line)) continue;
      edges.get(from).set(to, [...lines, line]);
      if (from === 'contract') violations.push(`${line}  (contract imports nothing of ours)`);
      else if (LEVEL.has(from) && LEVEL.has(to) && LEVEL.get(to) > LEVEL.get(from))
        violations.push(`${line}  (${to} is above ${from})`);
    }
  }
  for (const group of stronglyConnected(edges)) {
    // One cycle per group, through its lowest unit; once the imports that close it are gone, a rerun shows any other.
    const start = group.sort(
      (a, b) => (LEVEL.get(a) ?? Infinity) - (LEVEL.get(b) ?? Infinity) || a.localeCompare(b),
    )[0];
    const path = shortestCycle(edges, group, start);
    const lines = path.slice(1).flatMap((to, i) => edges.get(path[i]).get(to));
    violations.push(`import cycle ${path.join(' → ')}:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  }
  return { files: files.length, violations };
}

const srcDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
const { files, violations } = checkLayers(srcDir);
if (violations.length > 0) {
  for (const violation of violations) console.log(violation);
  console.error(
    `\n${violations.length} layering violation${violations.length === 1 ? '' : 's'} (see LAYERS in scripts/check-layers.mjs and DESIGN.md §1)`,
  );
  process.exit(1);
}
console.log(`layers ok: ${files} files`);
