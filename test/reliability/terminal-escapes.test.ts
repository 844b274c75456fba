/**
 * Terminal escape codes from documents never reach the terminal: the real `docent` bin indexes a folder whose
 * file names and text carry ESC/OSC/CSI sequences (an OSC 8 hyperlink, a window-title change, "clear screen",
 * C1 CSI, BEL, CR), then `ask`, `search`, `status` and `index` print. stdout must hold no control character but
 * newline and tab; `--json` keeps the data exact, with every control character escaped.
 *
 * Each case records what it observed (`observe`, before asserting) for the generated report; cases.ts lists them.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCitations, terminalJson } from '../../src/adapters/console/render.js';
import { politeError } from '../../src/adapters/shared/polite-error.js';
import { formatDegraded, formatHits } from '../../src/adapters/console/search-text.js';
import { DocentError } from '../../src/core/errors.js';
import { docentCli } from '../helpers/docent-cli.js';
import { observe } from './observe.js';

/** What a terminal acts on: C0 but tab and newline (CR included: it overwrites a line), DEL, C1 (CSI is U+009B). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const controls = (s: string) => [...new Set(s.match(CONTROL) ?? [])].map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`);

const OSC8 = '\u001b]8;;http://evil.example\u001b\\stage height\u001b]8;;\u001b\\';
const NOTES = `\u001b]0;pwned\u0007gauge-notes.md`;
const BROKEN = `\u001b[2J\u009b2Jbroken.pdf`;
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-terminal-'));
const docs = path.join(work, 'docs');
const docent = docentCli(work, path.join(work, 'data'));
let indexOut = '';

beforeAll(async () => {
  mkdirSync(docs);
  writeFileSync(
    path.join(docs, NOTES),
    `# Gauge \u001b[31mRed\u001b[0m Log\n\nThe river gauge log records ${OSC8} every hour.\u0007 Calibrate the gauge\u009b2J monthly.\r Overwritten line.\n\nGauge log readings are kept for ten years.\n`,
  );
  // A corrupt PDF: skipped, so `docent index` names it in its skip list.
  writeFileSync(path.join(docs, BROKEN), '%PDF-1.4\n1 0 obj\n<<');
  writeFileSync(path.join(docs, 'plain.txt'), 'Plain notes about the gauge log and the river.\n');
  indexOut = (await docent(['index', '--source', docs])).stdout;
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('terminal escape codes from documents', () => {
  it('docent ask prints the answer, titles and file names without control characters', async () => {
    const { stdout } = await docent(['ask', 'gauge log readings']);
    observe('terminal/ask', `${stdout.length} chars; control characters: ${controls(stdout).join(' ') || 'none'}; OSC 8 target ${stdout.includes('hxxp://evil.example') ? 'shown defanged' : stdout.includes('http://evil.example') ? 'LIVE' : 'absent'}`);
    expect(stdout).toMatch(/Sources:/);
    expect(stdout).toMatch(/gauge-notes\.md/);
    expect(controls(stdout)).toEqual([]);
    expect(stdout).not.toContain('http://evil.example');
  });

  it('docent search prints hits without control characters', async () => {
    const { stdout } = await docent(['search', 'gauge log readings']);
    observe('terminal/search', `${stdout.length} chars; control characters: ${controls(stdout).join(' ') || 'none'}`);
    expect(stdout).toMatch(/^1\. Gauge \[31mRed\[0m Log/m);
    expect(stdout).toMatch(/\]0;pwnedgauge-notes\.md/);
    expect(controls(stdout)).toEqual([]);
    expect(stdout).not.toContain('http://evil.example');
  });

  it('--json keeps the exact text but prints every control character escaped', async () => {
    const search = await docent(['search', 'gauge log readings', '--json']);
    const ask = await docent(['ask', 'gauge log readings', '--json']);
    const raw = [...controls(search.stdout), ...controls(ask.stdout)];
    observe('terminal/json', `search --json and ask --json: raw control characters ${raw.join(' ') || 'none'}`);
    expect(raw).toEqual([]);
    const hits = (JSON.parse(search.stdout) as { hits: Array<{ sourceId: string; text: string }> }).hits;
    const notes = hits.find((h) => h.sourceId === NOTES);
    expect(notes?.text).toContain(OSC8);
    expect(notes?.text).toContain('\u009b2J');
    const answer = JSON.parse(ask.stdout) as { citations: Array<{ sourceId: string }> };
    expect(answer.citations.some((c) => c.sourceId === NOTES)).toBe(true);
  });

  it('docent status prints without control characters', async () => {
    const { stdout } = await docent(['status']);
    observe('terminal/status', `${stdout.length} chars; control characters: ${controls(stdout).join(' ') || 'none'}`);
    expect(stdout).toMatch(/Index: +version 1/);
    expect(controls(stdout)).toEqual([]);
  });

  it('docent index names skipped files without control characters', () => {
    observe('terminal/index', `${indexOut.length} chars; control characters: ${controls(indexOut).join(' ') || 'none'}`);
    expect(indexOut).toMatch(/Skipped 1:/);
    expect(indexOut).toMatch(/broken\.pdf/);
    expect(controls(indexOut)).toEqual([]);
  });
});

describe('terminal renderers', () => {
  it('search hits, degraded notes, citations, errors and JSON carry no control character', () => {
    const evil = `A\u001b[2J\u009b31m\u0007\r${OSC8}\u007f`;
    const printed = [
      formatHits([{ sourceId: evil, title: evil, page: 2, url: `https://example.org/r\u001b[1m`, score: 0.5, text: `${evil} `.repeat(40), alsoIn: [evil] }]),
      formatHits([{ sourceId: 's', title: 't', page: null, url: `javascript:${evil}`, score: 0.1, text: 'x', alsoIn: [] }]),
      formatDegraded([{ part: 'vector search', reason: evil }]),
      formatCitations([{ n: 1, passage: 1, title: evil, sourceId: evil, url: null, path: evil, page: null }]),
    ].join('\n');
    expect(controls(printed)).toEqual([]);
    // Shared with Discord and Slack (which defuse links their own way): controls dropped for every surface.
    expect(controls(politeError(new DocentError('unknown_source', 'user', `no source named ${evil}`)))).toEqual([]);
    expect(printed).toContain('https://example.org/r[1m');
    expect(printed).not.toMatch(/https?:\/\/evil/);
    // JSON is data for programs: exact (the URL stays), but no raw control character.
    expect(controls(terminalJson({ evil }))).toEqual([]);
    expect(JSON.parse(terminalJson({ evil }))).toEqual({ evil });
  });
});
