/**
 * The PostgreSQL 15 manual (../shared/catalogs/pgdocs, 1,169 DocBook pages) through the real folder listing,
 * HTML loader and chunker: no chunk carries the navigation header or footer any more ("VACUUMPrev UpSQL
 * CommandsHome Next", "-----" rules), while the pages' own words, code and tables are all still there.
 * Skips with a message when ../shared is absent (a user's clone).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyNode, isTag, isText } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireShared } from '../../helpers/require-shared.js';
import type { Chunk, DocumentRecord } from '../../../src/core/types.js';
import { chunkDocument } from '../../../src/indexing/chunker.js';
import { listSourceItems, loadSourceItem } from '../../../src/indexing/sources.js';
import { collectingContext } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const folder = path.resolve(repoRoot, '../shared/catalogs/pgdocs');
const hasPgdocs = requireShared('[loaders] pgdocs boilerplate test', 'catalogs/pgdocs').present;

/** What the DocBook navigation rendered as before: glued link labels and a rule of dashes. */
const NAV_TEXT = [/Prev\s*Up/, /Up\s*Next/, /Home\s*Next/, /Prev\s+Up\s+Next/, /^\s*Prev\s*$/m, /^\s*Next\s*$/m];
/** A line of dashes outside code (inside code, psql prints them under column names). */
function ruleOutsideCode(text: string): string | null {
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && /^\s*-{3,}\s*$/.test(line)) return line;
  }
  return null;
}

const words = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];

/** Words of every text node of <body> outside the navigation and table-of-contents blocks: the content to keep. */
function contentWords(html: string): string[] {
  const out: string[] = [];
  const skip = new Set(['navheader', 'navfooter', 'toc', 'list-of-tables', 'list-of-figures', 'list-of-examples']);
  const visit = (n: AnyNode) => {
    if (isText(n)) out.push(...words(n.data));
    else if (isTag(n)) {
      if (['head', 'script', 'style'].includes(n.name)) return;
      if ((n.attribs['class'] ?? '').split(/\s+/).some((c) => skip.has(c))) return;
      n.children.forEach(visit);
    } else if ('children' in n) n.children.forEach(visit);
  };
  visit(parseDocument(html));
  return out;
}

/** Share of the reference words (with multiplicity) that the loaded text still has. */
function kept(reference: string[], text: string): number {
  const have = new Map<string, number>();
  for (const w of words(text)) have.set(w, (have.get(w) ?? 0) + 1);
  let hit = 0;
  for (const w of reference) {
    const n = have.get(w) ?? 0;
    if (n > 0) {
      hit++;
      have.set(w, n - 1);
    }
  }
  return reference.length ? hit / reference.length : 1;
}

describe.skipIf(!hasPgdocs)('PostgreSQL manual pages: boilerplate-free chunks (../shared/catalogs/pgdocs)', () => {
  let docs: DocumentRecord[];
  let chunks: Chunk[];
  const bySource = (id: string) => docs.find((d) => d.sourceId === id)!;

  beforeAll(async () => {
    const ctx = collectingContext();
    const items = await listSourceItems(folder, ctx);
    docs = [];
    for (const item of items) docs.push(...(await loadSourceItem(item, ctx)));
    expect(ctx.skipped.filter((s) => s.location.endsWith('.html'))).toEqual([]);
    chunks = docs.flatMap((d) => chunkDocument(d, { size: 1200, overlap: 150, recordSize: 4000 }));
  }, 120_000);

  it('loads every page as one HTML document with text', () => {
    expect(docs.length).toBeGreaterThanOrEqual(1169);
    for (const d of docs) {
      expect(d.kind).toBe('html');
      expect(d.text).toMatch(/\p{L}/u);
    }
    expect(chunks.length).toBeGreaterThan(7000);
  });

  it('leaves the navigation header and footer out of every chunk', () => {
    const withNav = chunks.filter((c) => NAV_TEXT.some((re) => re.test(c.text)));
    expect(withNav.map((c) => `${c.sourceId}: ${c.text.slice(0, 120)}`)).toEqual([]);
    const rules = docs.flatMap((d) => {
      const rule = ruleOutsideCode(d.text);
      return rule === null ? [] : [`${d.sourceId}: ${rule}`];
    });
    expect(rules).toEqual([]);
  });

  it('keeps the pages’ own words: over 99.5 % of the manual, over 95 % of every page', async () => {
    const { readFile } = await import('node:fs/promises');
    let hit = 0;
    let total = 0;
    const poor: string[] = [];
    for (const d of docs) {
      const reference = contentWords(await readFile(d.path!, 'utf8'));
      const share = kept(reference, d.text);
      hit += share * reference.length;
      total += reference.length;
      if (share < 0.95) poor.push(`${d.sourceId} ${share.toFixed(3)}`);
    }
    expect(poor).toEqual([]);
    expect(hit / total).toBeGreaterThan(0.995);
  });

  it('gives chunks their heading path, code its lines and tables their rows', () => {
    const vacuuming = chunks.filter((c) => c.sourceId === 'routine-vacuuming.html').map((c) => c.text.split('\n')[0]);
    expect(vacuuming).toContain('25.1. Routine Vacuuming > 25.1.2. Recovering Disk Space');
    expect(vacuuming).toContain('25.1. Routine Vacuuming > 25.1.5. Preventing Transaction ID Wraparound Failures');
    expect(chunks.filter((c) => c.sourceId === 'sql-vacuum.html').map((c) => c.text.split('\n')[0])).toContain('VACUUM > Description');

    const vacuum = bySource('sql-vacuum.html').text;
    expect(vacuum).toContain('```\nVACUUM [ ( option [, ...] ) ] [ table_and_columns [, ...] ]\n');
    expect(vacuum).toContain('\n    FULL [ boolean ]\n    FREEZE [ boolean ]\n');

    const numeric = bySource('datatype-numeric.html').text;
    expect(numeric).toContain('\nName | Storage Size | Description | Range\nsmallint | 2 bytes | small-range integer | -32768 to +32767\n');
  });
});
