/**
 * Test helpers for the loader suites: hand-built PDFs (good, encrypted), a collecting LoadContext,
 * tmp folders and a loopback HTTP server. Not a test file itself (no `.test.ts`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadContext, SkippedItem } from '../../../src/indexing/loaders/loader.js';

/** A LoadContext that records every skip. */
export function collectingContext(overrides: Partial<Omit<LoadContext, 'onSkip'>> = {}): LoadContext & { skipped: SkippedItem[] } {
  const skipped: SkippedItem[] = [];
  return {
    maxFileBytes: overrides.maxFileBytes ?? 10 * 1024 * 1024,
    fetchTimeoutMs: overrides.fetchTimeoutMs ?? 5_000,
    onSkip: (item) => skipped.push(item),
    skipped,
  };
}

/** Creates a fresh tmp folder; the returned cleanup removes it. */
export async function tmpFolder(prefix = 'docent-loaders-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Serialises numbered PDF objects with a correct xref table (offsets matter to strict readers). */
export function buildPdf(objects: string[], trailerExtra = ''): Buffer {
  let out = '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function pdfStream(content: string): string {
  return `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
}

/**
 * A PDF with one page per entry of `pages` (an empty string makes a page without text) and an optional
 * Info dictionary Title.
 */
export function textPdf(pages: string[], title?: string): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '', '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
  const kids: string[] = [];
  for (const text of pages) {
    const pageNo = objects.length + 1;
    kids.push(`${pageNo} 0 R`);
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${pageNo + 1} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`);
    const escaped = text.replace(/([()\\])/g, '\\$1');
    objects.push(pdfStream(text ? `BT /F1 18 Tf 72 700 Td (${escaped}) Tj ET` : ''));
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages.length} >>`;
  let trailer = '';
  if (title !== undefined) {
    objects.push(`<< /Title (${title}) >>`);
    trailer = `/Info ${objects.length} 0 R `;
  }
  return buildPdf(objects, trailer);
}

/**
 * A PDF protected by the standard security handler with a user password: the O/U entries are random, so
 * the empty password never validates and pdf.js raises PasswordException, as for a real protected file.
 */
export function encryptedPdf(): Buffer {
  const id = '<0123456789abcdef0123456789abcdef>';
  return buildPdf(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
      `<< /Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -4 >>`,
    ],
    `/Encrypt 4 0 R /ID [${id} ${id}] `,
  );
}

/** Deterministic pseudo-random bytes (tests must not depend on luck). */
export function junkBytes(n: number, seed = 42): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16;
  }
  return b;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Starts an HTTP server on 127.0.0.1 with an ephemeral port. */
export async function startServer(handler: Handler): Promise<{ base: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening: bind an ephemeral port, then release it. */
export async function deadPort(): Promise<number> {
  const { base, close } = await startServer((_req, res) => res.end());
  await close();
  return Number(new URL(base).port);
}
