import { splitSentences } from './sentences.js';

/**
 * What of a passage can be quoted to a user, as plain sentences. A chunk's text is structured (the chunker's
 * title/heading-path header, "Keywords:" lines, Markdown headings, tables, lists, code fences, `**` emphasis);
 * quoting it raw showed headings instead of the answer, table pipes and `**` in the chat, and list items run
 * together. Here each piece becomes something a person can read in one line.
 */
export interface QuotableUnit {
  /** Index of the block the unit came from: sentences of one paragraph share it, so neighbours can be joined. */
  block: number;
  text: string;
  kind: 'sentence' | 'row' | 'item' | 'code';
}

export interface PassageShape {
  title: string;
  text: string;
}

/** The passage body's quotable units in reading order. */
export function quotableUnits(p: PassageShape): QuotableUnit[] {
  const units: QuotableUnit[] = [];
  let block = 0;
  let paragraph: string[] = [];
  // A list item collects its continuation lines ("- **Cross-checks:** … or rain\n  recorded when …") like a paragraph.
  let kind: 'sentence' | 'item' = 'sentence';
  let header: string[] | null = null; // the current table's column names
  let inFence = false;
  let code: string[] = [];
  const flush = () => {
    if (paragraph.length) {
      for (const s of splitSentences(paragraph.join(' '))) units.push({ block, text: s, kind });
      block++;
    }
    paragraph = [];
    kind = 'sentence';
  };
  const lines = p.text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) {
      flush();
      if (inFence) addCode(units, code, () => block++);
      inFence = !inFence;
      code = [];
      return;
    }
    if (inFence) {
      if (line) code.push(line);
      return;
    }
    if (!line || isFurniture(line, i, p.title)) {
      flush();
      if (!line) header = null;
      return;
    }
    if (line.startsWith('|') || /\S\s\|\s\S.*\|/.test(line)) {
      flush();
      const cells = tableCells(line);
      if (cells.every((c) => /^:?-{2,}:?$/.test(c) || c === '')) return; // the |---|---| separator
      const next = lines[i + 1]?.trim() ?? '';
      if (header === null && /^\|?\s*:?-{2,}/.test(next)) {
        header = cells; // the header row names the columns; it is not a fact to quote
        return;
      }
      // "Flag P — Provisional": the first column's name says what the row's first cell is.
      const label = header?.[0] && header[0].length <= 20 && cells[0] ? `${plain(header[0])} ` : '';
      const row = cells.map(plain).filter(Boolean).map((c, j) => (j === 0 ? `${label}${c}` : c)).join(' — ');
      if (row) units.push({ block: block++, text: row, kind: 'row' });
      return;
    }
    const item = /^(?:[-*+•]|\d{1,3}[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      kind = 'item';
      paragraph.push(plain(item[1]!));
      return;
    }
    if (kind === 'sentence' && looksLikeHeading(line, lines[i + 1]?.trim() ?? '', paragraph.at(-1))) {
      flush();
      return;
    }
    paragraph.push(plain(line));
  });
  flush();
  return units.filter((u) => /[\p{L}\p{N}]/u.test(u.text));
}

/**
 * Code is often the answer in a manual ("The basic usage of this command is:" then `pg_dump dbname > dumpfile`).
 * A short block completes the sentence before it when that sentence ends with a colon, or stands as one unit;
 * a long block gives one unit per line, since a quote of twenty lines is not an excerpt. Shown as inline code.
 */
function addCode(units: QuotableUnit[], lines: string[], nextBlock: () => number): void {
  const inline = (l: string) => `\`${l.replace(/`/g, "'")}\``;
  const short = lines.length <= 3 && lines.join(' ').length <= 200;
  const last = units.at(-1);
  if (short && lines.length > 0) {
    const text = lines.map(inline).join(' ');
    if (last && last.kind === 'sentence' && last.text.endsWith(':')) last.text = `${last.text} ${text}`;
    else units.push({ block: nextBlock(), text, kind: 'code' });
    return;
  }
  const block = nextBlock();
  for (const l of lines) if (l.length <= 200) units.push({ block, text: inline(l), kind: 'code' });
}

/**
 * Lines that are about the passage rather than in it: the chunker's header (the title, or "Title > Section"),
 * catalog "Keywords:" lines, Markdown headings and horizontal rules.
 */
function isFurniture(line: string, index: number, title: string): boolean {
  if (index === 0 && (line === title.trim() || line.startsWith(`${title.trim()} > `))) return true;
  return /^Keywords:/.test(line) || /^#{1,6}\s/.test(line) || /^([-*_=])\1{2,}$/.test(line.replace(/\s/g, ''));
}

/**
 * A heading in text that carries no Markdown (PDF pages): a short line without closing punctuation that starts a
 * paragraph and is followed by a capitalised line. Joined to its paragraph it was quoted as "Reference check
 * Hold the reference thermometer…". A wrapped line inside a sentence is long, or follows an unfinished line.
 */
function looksLikeHeading(line: string, next: string, previous: string | undefined): boolean {
  if (line.length > 60 || /[.,;:!?)\]"'”]$/.test(line) || !/^[\p{Lu}\d]/u.test(line)) return false;
  if (previous !== undefined && !/[.!?:]["')”]?$/.test(previous)) return false;
  return /^[\p{Lu}]/u.test(next);
}

function tableCells(line: string): string[] {
  return line.replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/**
 * Markdown emphasis and link syntax removed, keeping the words: "**Flag P**" → "Flag P", "[the guide](url)" →
 * "the guide". Links are dropped on purpose: only citation links built by code may be clickable.
 */
export function plain(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(^|[\s(])[*_](?=\S)([^*_\n]+?)(?<=\S)[*_](?=[\s).,;:!?]|$)/g, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}
