import { parse as parseYaml } from 'yaml';
import { LoadError } from '../../core/errors.js';
import type { DocumentRecord } from '../../core/types.js';
import { buildDocument, locationOf, provenance, readText, titleFromName } from './document.js';
import type { FileLoader, LoaderInput } from './loader.js';

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/;

/** Splits YAML front matter off the top; a front matter block that is not valid YAML is still removed. */
export function splitFrontMatter(md: string): { data: Record<string, unknown>; body: string } {
  const m = FRONT_MATTER.exec(md);
  if (!m) return { data: {}, body: md };
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = parseYaml(m[1] ?? '');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch {
    // Broken front matter should not cost us the document; we just lose its title.
  }
  return { data, body: md.slice(m[0].length) };
}

/** Inline Markdown to plain words: links keep their text, emphasis and code marks go. */
function plainInline(s: string): string {
  return s
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`~]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The first level-1 heading (ATX "# x" or setext "x\n==="), ignoring fenced code blocks. */
export function firstH1(body: string): string | null {
  const lines = body.split('\n');
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      const marker = f[1]!;
      if (fence === null) fence = marker[0]!;
      else if (marker[0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const atx = /^\s{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) return plainInline(atx[1]!) || null;
    const next = lines[i + 1];
    if (line.trim() && next !== undefined && /^\s{0,3}=+\s*$/.test(next)) return plainInline(line) || null;
  }
  return null;
}

/** Markdown files: one document; the text keeps its Markdown so the chunker can split by headings. */
export const markdownLoader: FileLoader = {
  extensions: ['.md', '.markdown'],
  async load(input: LoaderInput): Promise<DocumentRecord[]> {
    const { data, body } = splitFrontMatter(readText(input));
    const text = body.trim();
    if (!text) throw new LoadError(locationOf(input), 'empty file (no text)');
    const fmTitle = typeof data['title'] === 'string' ? plainInline(data['title']) : '';
    return [
      buildDocument({
        ...provenance(input),
        kind: 'markdown',
        title: fmTitle || firstH1(text) || titleFromName(input.relPath),
        text,
        page: null,
        keywords: [],
        fields: {},
      }),
    ];
  },
};
