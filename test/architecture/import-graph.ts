import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The project's own import graph, read with the TypeScript parser (not a regex) so multi-line imports, `export
 * … from`, dynamic `import()` and `import type` are all seen. Only relative imports are edges: packages are not
 * layers. Shared by the allowed-imports matrix and the cycle check.
 */

export const root = path.resolve(import.meta.dirname, '../..');

export interface ImportEdge {
  /** Both repo-relative, `.ts`. */
  from: string;
  to: string;
  /** As written in the source, for the failure message. */
  specifier: string;
  /** `import type` / `export type` / every named element `type`: erased at run time. */
  typeOnly: boolean;
}

export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import './x.js'` runs the module
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const named = node.exportClause;
  return !!named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** Every relative import of one file, resolved to a repo-relative `.ts` path. */
export function importsOf(absFile: string): ImportEdge[] {
  const text = readFileSync(absFile, 'utf8');
  const source = ts.createSourceFile(absFile, text, ts.ScriptTarget.Latest, true);
  const from = path.relative(root, absFile);
  const out: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    const to = path.relative(root, path.resolve(path.dirname(absFile), specifier)).replace(/\.js$/, '.ts');
    out.push({ from, to, specifier, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, isTypeOnlyImport(node));
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, isTypeOnlyExport(node));
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true); // `import('./x.js').T` in a type position
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Import edges of every `.ts` file under `dirs` (repo-relative). */
export function importGraph(dirs: string[]): ImportEdge[] {
  return dirs.flatMap((d) => tsFiles(path.join(root, d))).flatMap(importsOf);
}

/**
 * Import cycles among files: the strongly connected components with more than one file (Tarjan), each as a
 * closed path `a → b → … → a` so the message shows how the circle closes. Type-only edges count: a circle of
 * types is still two modules that cannot be understood, moved or tested apart.
 */
export function importCycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strong = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (next.get(v) ?? []).includes(v)) components.push(scc);
    }
  };
  for (const v of next.keys()) if (!index.has(v)) strong(v);
  return components.map((scc) => closedPath(scc, next));
}

/** One circle through a component, found breadth-first from its first file back to itself. */
function closedPath(scc: string[], next: Map<string, string[]>): string[] {
  const members = new Set(scc);
  const start = [...scc].sort()[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return scc;
}
