import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/indexing/chunker.js';
import type { DocumentRecord } from '../../src/core/types.js';

function doc(over: Partial<DocumentRecord>): DocumentRecord {
  return {
    sourceId: 'a.md', sourceRoot: 'root', kind: 'markdown', title: 'Guide', text: '', url: null, path: '/x/a.md',
    page: null, modified: null, keywords: [], fields: {}, contentHash: 'h', ...over,
  };
}

describe('chunkDocument', () => {
  it('splits Markdown at headings and prefixes each chunk with its heading path', () => {
    const text = '# Guide\n\nIntro para.\n\n## Access\n\nHow to get data.\n\n### Tokens\n\nAsk the admin.\n\n## Citing\n\nCite us.';
    const chunks = chunkDocument(doc({ text }), { size: 1000, overlap: 0, recordSize: 4000 });
    expect(chunks.map((c) => c.text.split('\n')[0])).toEqual(['Guide', 'Guide > Access', 'Guide > Access > Tokens', 'Guide > Citing']);
    expect(chunks[2]!.text).toContain('Ask the admin.');
  });

  it('does not treat # lines inside code fences as headings', () => {
    const text = '# T\n\n```sh\n# a comment\necho hi\n```\n\nAfter.';
    const chunks = chunkDocument(doc({ text, title: 'T' }), { size: 1000, overlap: 0, recordSize: 4000 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toContain('# a comment');
  });

  it('packs paragraphs up to the size, splits long ones at sentences, and overlaps', () => {
    const sentence = 'The gauge records water level every fifteen minutes. ';
    const text = Array.from({ length: 12 }, (_, i) => `Paragraph ${i}. ${sentence.repeat(3)}`).join('\n\n');
    const chunks = chunkDocument(doc({ kind: 'text', text, title: 'Gauges' }), { size: 400, overlap: 60, recordSize: 4000 });
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(400 + 'Gauges\n\n'.length);
    // The overlap repeats the tail of one chunk at the head of the next.
    const tail = chunks[0]!.text.slice(-30);
    expect(chunks[1]!.text).toContain(tail.slice(tail.indexOf(' ') + 1));
  });

  it('never cuts a number or a sentence at a chunk boundary, and overlaps with whole sentences', () => {
    const prose = Array.from({ length: 40 }, (_, i) => `Station ${i} warmed by 0.${i % 10} degrees since Oct. 1 of year ${2000 + i}.`).join(' ');
    const chunks = chunkDocument(doc({ kind: 'text', text: prose, title: 'Temps' }), { size: 300, overlap: 80, recordSize: 4000 });
    expect(chunks.length).toBeGreaterThan(4);
    const sentences = chunks.flatMap((c) => c.text.slice('Temps\n\n'.length).split(/(?<=\.)\s+(?=Station)/));
    // Every piece of every chunk is a whole sentence, decimals and "Oct. 1" inside it.
    for (const sentence of sentences) expect(sentence).toMatch(/^Station \d+ warmed by 0\.\d degrees since Oct\. 1 of year \d{4}\.$/);
    // Nothing lost: all 40 sentences are there; the overlap only repeats whole ones.
    expect(new Set(sentences).size).toBe(40);
  });

  it('keeps table rows and code lines whole when a long block is split, and reopens a cut code fence', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `| Flag ${i} | Meaning number ${i} of the quality flags table |`).join('\n');
    const code = ['```sql', ...Array.from({ length: 30 }, (_, i) => `SELECT col_${i} FROM measurements WHERE id = ${i};`), '```'].join('\n');
    const chunks = chunkDocument(doc({ text: `# T\n\n${rows}\n${code}`, title: 'T' }), { size: 400, overlap: 50, recordSize: 4000 });
    const lines = chunks.flatMap((c) => c.text.split('\n').slice(2));
    for (const l of lines) expect(l).toMatch(/^(\| Flag \d+ \| Meaning number \d+ of the quality flags table \||SELECT col_\d+ FROM measurements WHERE id = \d+;|```(sql)?)$/);
    for (const c of chunks.filter((c) => c.text.includes('SELECT'))) {
      expect((c.text.match(/```/g) ?? []).length % 2).toBe(0);
    }
  });

  it('folds title and keywords into a catalog record and keeps provenance on every chunk', () => {
    const rec = doc({ kind: 'dcat', sourceId: 'id-1', title: 'Timber Harvests', keywords: ['Silviculture', 'FACTS'], text: 'Acres harvested.', url: 'https://x', modified: '2026-01-01' });
    const [c] = chunkDocument(rec, { size: 1200, overlap: 100, recordSize: 4000 });
    expect(c!.text).toBe('Timber Harvests\nKeywords: Silviculture, FACTS\n\nAcres harvested.');
    expect(c).toMatchObject({ sourceId: 'id-1', url: 'https://x', modified: '2026-01-01', kind: 'dcat', ordinal: 0 });
  });

  it('gives PDF page chunks their page and ids that are stable across runs and distinct across pages', () => {
    const p1 = chunkDocument(doc({ kind: 'pdf', page: 1, text: 'one' }), { size: 500, overlap: 0, recordSize: 4000 });
    const p2 = chunkDocument(doc({ kind: 'pdf', page: 2, text: 'one' }), { size: 500, overlap: 0, recordSize: 4000 });
    expect(p1[0]!.page).toBe(1);
    expect(p1[0]!.id).not.toBe(p2[0]!.id);
    expect(chunkDocument(doc({ kind: 'pdf', page: 1, text: 'one' }), { size: 500, overlap: 0, recordSize: 4000 })[0]!.id).toBe(p1[0]!.id);
  });
});
