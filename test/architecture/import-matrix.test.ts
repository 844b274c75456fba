import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, type ImportEdge } from './import-graph.js';

/**
 * The dependency graph reads top-down (issue 18): vocabulary and ports in core, implementations (providers,
 * stores) and retrieval (rag) on core only, surfaces (adapters, server) on core and the commands' public types,
 * composition roots (runtime, cli, insights, config) free to wire anything. A failure prints one line per
 * offending import, `file → import (rule)`, so it explains itself.
 */

/** The layer a repo-relative file belongs to: `adapters/<platform>` per platform, else the folder under src/. */
function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'commands') return 'commands';
  if (parts[0] === 'config') return 'config';
  if (parts[0] !== 'src') return parts[0]!;
  if (parts[1] === 'adapters') return `adapters/${parts[2]}`;
  return parts[1]!.replace(/\.ts$/, '');
}

interface Rule {
  /** Layers this layer may import (itself included where listed). */
  allow: string[];
  /** Why, as printed with each violation. */
  why: string;
  /** Layers it may only import with `import type` (erased at run time). */
  typesOnly?: string[];
}

const CORE: Rule = { allow: ['core', 'logging'], why: 'core imports only core and logging' };
const SURFACE_TYPES = ['commands'];

/** Layers without an entry (runtime, cli, insights, config) are composition roots: they wire everything. */
function ruleFor(layer: string): Rule | undefined {
  if (layer === 'core') return CORE;
  if (layer === 'logging') return { allow: ['logging', 'core'], why: 'logging imports only core' };
  if (layer === 'providers') return { allow: ['providers', 'core', 'logging'], why: 'providers implement core ports: core and logging only' };
  if (layer === 'stores') return { allow: ['stores', 'core', 'logging'], why: 'stores implement core ports: core and logging only' };
  if (layer === 'rag') return { allow: ['rag', 'core', 'logging'], why: 'rag retrieves through core ports: core and logging only' };
  if (layer === 'indexing') {
    return { allow: ['indexing', 'core', 'logging', 'providers', 'stores'], why: 'indexing builds on ports and their implementations, never on a surface or the runtime' };
  }
  if (layer === 'commands') return { allow: ['commands', 'core', 'logging'], why: 'commands see core types only, never indexing, runtime or stores internals' };
  if (layer === 'adapters/shared') {
    return { allow: ['adapters/shared', 'core', 'logging', ...SURFACE_TYPES], typesOnly: SURFACE_TYPES, why: 'adapters/shared: core, logging and the commands\' public types' };
  }
  if (layer.startsWith('adapters/')) {
    return {
      allow: [layer, 'adapters/shared', 'core', 'logging', ...SURFACE_TYPES],
      typesOnly: SURFACE_TYPES,
      why: 'an adapter imports core, adapters/shared, logging and the commands\' public types — never another adapter, stores, providers or indexing',
    };
  }
  if (layer === 'server') {
    // insights: the /insights route renders the report module; it reaches the data through DocentServices-like
    // functions the composition root passes in, not through the runtime.
    return { allow: ['server', 'core', 'logging', 'commands', 'adapters/shared', 'insights'], why: 'server takes narrow functions from the composition root, never runtime, stores or an adapter' };
  }
  return undefined;
}

export function violations(edges: ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    const rule = ruleFor(from);
    if (rule && !rule.allow.includes(to)) out.push(`${e.from} → ${e.to} (${rule.why})`);
    else if (rule?.typesOnly?.includes(to) && !e.typeOnly) out.push(`${e.from} → ${e.to} (${rule.why}: use \`import type\`)`);
    // Command definitions reach a surface only through commands/index.ts's commandList, where each is wrapped in
    // the access policy: a value import of one definition module would be a way around the admin check.
    else if (to === 'commands' && from !== 'commands' && !e.typeOnly && e.to !== 'commands/index.ts') {
      out.push(`${e.from} → ${e.to} (run commands from commands/index.ts's commandList, which applies the access policy)`);
    }
  }
  return out;
}

describe('allowed-imports matrix', () => {
  const edges = importGraph(['src', 'commands']);

  it('sees the graph (a parser that found nothing would pass everything)', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges.some((e) => e.from === 'src/rag/hybrid-retriever.ts' && e.to === 'src/core/ports/vector-store.ts')).toBe(true);
  });

  it('every import follows the layer rules', () => {
    const found = violations(edges);
    // One line per offending import; `expect(...).toEqual([])` shows the whole list on failure.
    expect(found, `\n${found.join('\n')}\n`).toEqual([]);
  });

  it('has no import cycle in src/ or commands/', () => {
    const cycles = importCycles(edges).map((c) => c.join(' → '));
    expect(cycles, `\n${cycles.join('\n')}\n`).toEqual([]);
  });

  it('reports an upward import and a cycle in the documented form (the checks can fail)', () => {
    const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, specifier: to, typeOnly });
    expect(violations([edge('src/core/answer/prompt.ts', 'src/providers/generators/x.ts')])).toEqual([
      'src/core/answer/prompt.ts → src/providers/generators/x.ts (core imports only core and logging)',
    ]);
    expect(violations([edge('src/adapters/slack/a.ts', 'src/adapters/console/render.ts')])).toHaveLength(1);
    expect(violations([edge('src/adapters/slack/a.ts', 'commands/types.ts')])[0]).toMatch(/use `import type`/);
    expect(violations([edge('src/adapters/slack/a.ts', 'commands/types.ts', true)])).toEqual([]);
    expect(violations([edge('src/cli/commands/x.ts', 'commands/reindex.ts')])[0]).toMatch(/access policy/);
    expect(violations([edge('src/cli/commands/x.ts', 'commands/index.ts')])).toEqual([]);
    expect(importCycles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts'), edge('c.ts', 'a.ts')])).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });
});
