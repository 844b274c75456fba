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
  kind: 'sentence' | 'row' | 'item';
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
  let header: string[] | null = null; // the current table's column names
  let inFence = false;
  const flush = () => {
    if (paragraph.length) {
      for (const s of splitSentences(paragraph.join(' '))) units.push({ block, text: s, kind: 'sentence' });
      block++;
    }
    paragraph = [];
  };
  const lines = p.text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) {
      flush();
      inFence = !inFence;
      return;
    }
    // Code is shown by the source link, not quoted: a blockquoted code fragment loses its layout.
    if (inFence) return;
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
      const row = cells.filter(Boolean).map(plain).join(' — ');
      if (row) units.push({ block: block++, text: row, kind: 'row' });
      return;
    }
    const item = /^(?:[-*+•]|\d{1,3}[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      for (const s of splitSentences(plain(item[1]!))) units.push({ block, text: s, kind: 'item' });
      block++;
      return;
    }
    paragraph.push(plain(line));
  });
  flush();
  return units.filter((u) => /[\p{L}\p{N}]/u.test(u.text));
}

/**
 * Lines that are about the passage rather than in it: the chunker's header (the title, or "Title > Section"),
 * catalog "Keywords:" lines, Markdown headings and horizontal rules.
 */
function isFurniture(line: string, index: number, title: string): boolean {
  if (index === 0 && (line === title.trim() || line.startsWith(`${title.trim()} > `))) return true;
  return /^Keywords:/.test(line) || /^#{1,6}\s/.test(line) || /^([-*_=])\1{2,}$/.test(line.replace(/\s/g, ''));
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
