import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DocumentRecord } from '../../src/core/types.js';
import { DocumentCache, LOADER_VERSION } from '../../src/indexing/document-cache.js';

const doc = (text: string): DocumentRecord => ({
  sourceId: 'a.md', sourceRoot: '/r', kind: 'markdown', title: 'A', text, url: null, path: '/r/a.md', page: null,
  modified: null, keywords: [], fields: {}, contentHash: text,
});

describe('document cache', () => {
  it('round-trips entries one per line, and serves a file whose size and mtime are unchanged', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'doccache-')), 'documents.json');
    const c = new DocumentCache(file);
    c.put('/r/a.md', 10, 1000, [doc('line one\nline "two"')]);
    c.put('https://x/data.json', -1, 0, [doc('feed')], { etag: '"e1"' });
    c.save();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3); // header + 2 entries
    const again = new DocumentCache(file);
    expect(again.fresh('/r/a.md', 10, 1000)?.[0]!.text).toBe('line one\nline "two"');
    expect(again.fresh('/r/a.md', 11, 1000)).toBeUndefined();
    expect(again.conditional('https://x/data.json')?.validators).toEqual({ etag: '"e1"' });
  });

  it('parses again what an older loader version produced, but keeps it as a URL’s last good copy', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'doccache-')), 'documents.json');
    const entry = { size: 10, mtimeMs: 1000, fetchedAt: '2026-01-01T00:00:00Z', loaderVersion: LOADER_VERSION - 1, docs: [doc('old text')] };
    writeFileSync(file, `${JSON.stringify({ format: 'docent-documents-ndjson' })}\n${JSON.stringify({ location: '/r/a.md', entry })}\n`);
    const c = new DocumentCache(file);
    expect(c.fresh('/r/a.md', 10, 1000)).toBeUndefined();
    expect(c.lastGood('/r/a.md')?.docs[0]!.text).toBe('old text');
  });

  it('reads a cache in the older single-JSON format, or a torn file, as empty (everything is parsed again)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'doccache-'));
    const old = path.join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ '/r/a.md': { size: 10, mtimeMs: 1000, fetchedAt: 'x', docs: [doc('t')] } }));
    expect(new DocumentCache(old).fresh('/r/a.md', 10, 1000)).toBeUndefined();
    const torn = path.join(dir, 'torn.json');
    writeFileSync(torn, `${JSON.stringify({ format: 'docent-documents-ndjson' })}\n{"location":"/r/a.md","entry":{"si`);
    expect(new DocumentCache(torn).fresh('/r/a.md', 10, 1000)).toBeUndefined();
  });
});
