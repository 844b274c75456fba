import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  it('core, rag and indexing never import a platform SDK or the Chroma client', () => {
    const offenders: string[] = [];
    for (const dir of ['src/core', 'src/rag', 'src/indexing']) {
      for (const file of tsFiles(path.join(root, dir))) {
        const text = readFileSync(file, 'utf8');
        if (/from ['"](discord\.js|@slack\/bolt|chromadb)['"]/.test(text)) offenders.push(path.relative(root, file));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps source files small (≤ 400 lines)', () => {
    const big = ['src', 'config', 'test'].flatMap((d) => tsFiles(path.join(root, d)))
      .map((f) => ({ f: path.relative(root, f), n: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.n > 400);
    expect(big).toEqual([]);
  });
});
