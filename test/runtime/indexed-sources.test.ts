import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IndexManifest } from '../../src/indexing/index-files.js';
import { planSources, rememberSources } from '../../src/runtime/indexed-sources.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-sources-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const manifest = (perSource: Record<string, number>) => ({ perSource: Object.fromEntries(Object.entries(perSource).map(([k, n]) => [k, { documents: n, chunks: n }])) }) as unknown as IndexManifest;

describe('which sources a reindex reads', () => {
  it('repeats the last run while the configuration is unchanged; follows SOURCES and a changed configuration', () => {
    const dataDir = path.join(work, 'a');
    rememberSources(dataDir, ['/srv/pgdocs'], ['data/sample']);
    const m = manifest({ '/srv/pgdocs': 1169 });
    expect(planSources({ dataDir, configured: ['data/sample'], manifest: m, fromEnv: false })).toEqual({ sources: ['/srv/pgdocs'], origin: 'last index', removed: [] });
    const env = planSources({ dataDir, configured: ['/srv/other'], manifest: m, fromEnv: true });
    expect(env).toEqual({ sources: ['/srv/other'], origin: 'configuration', removed: [{ source: '/srv/pgdocs', documents: 1169 }] });
    expect(planSources({ dataDir, configured: ['/srv/new'], manifest: m, fromEnv: false }).origin).toBe('configuration');
    expect(planSources({ dataDir, configured: ['data/sample'], manifest: m, requested: ['/srv/pgdocs', '/x'], fromEnv: false })).toMatchObject({ origin: 'command line', removed: [] });
  });

  it('never writes credentials down, and takes them back from the configuration', () => {
    const dataDir = path.join(work, 'b');
    const secret = 'https://user:pw@data.example.org/data.json?api_key=k123';
    rememberSources(dataDir, [secret], [secret]);
    expect(readFileSync(path.join(dataDir, 'index', 'sources.json'), 'utf8')).not.toMatch(/pw@|k123/);
    expect(planSources({ dataDir, configured: [secret], manifest: null, fromEnv: false }).sources).toEqual([secret]);
    // Given on the command line once, with credentials: a plain run cannot repeat it, and says so.
    const other = path.join(work, 'c');
    rememberSources(other, [secret], ['data/sample']);
    expect(() => planSources({ dataDir: other, configured: ['data/sample'], manifest: null, fromEnv: false })).toThrow(/with credentials, which Docent does not keep/);
  });
});
