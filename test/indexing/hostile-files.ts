/**
 * Builders for hostile inputs, made on the fly in a temp folder (nothing large is committed): a PDF "flate
 * bomb" whose one content stream inflates to hundreds of MB, a PDF with thousands of pages, and named pipes.
 * Not a test file itself (no `.test.ts`).
 */
import { execFileSync } from 'node:child_process';
import { createDeflate } from 'node:zlib';
import { textPdf } from './loaders/helpers.js';

/**
 * Deflates `mb` MiB of one repeated byte, fed 1 MiB at a time so the test never holds the inflated size.
 * Spaces (the default) are what pdf.js's content-stream lexer skips over, so only the inflated buffer costs.
 */
async function deflateFill(mb: number, fill: number): Promise<Buffer> {
  const z = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (d: Buffer) => out.push(d));
  const ended = new Promise<void>((resolve, reject) => z.on('end', resolve).on('error', reject));
  const chunk = Buffer.alloc(2 ** 20, fill);
  for (let i = 0; i < mb; i++) {
    if (!z.write(chunk)) await new Promise((resolve) => z.once('drain', resolve));
  }
  z.end();
  await ended;
  return Buffer.concat(out);
}

/** Numbered PDF objects (strings or raw byte parts) with a correct xref table. */
function buildBinaryPdf(objects: Array<string | Buffer[]>): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(length);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), ...(typeof body === 'string' ? [Buffer.from(body, 'latin1')] : body), Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(obj);
    length += obj.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/**
 * A one-page PDF whose content stream is `mb` MiB of spaces, Flate-compressed (~1,000:1, so 600 MiB is a
 * ~600 KB file). pdf.js inflates a content stream into a single growing buffer before lexing it.
 */
export async function flateBombPdf(mb: number): Promise<Buffer> {
  const data = await deflateFill(mb, 0x20);
  return buildBinaryPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    [Buffer.from(`<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')],
  ]);
}

/** A PDF of `pages` pages, each with its own line of text (10,000 pages is ~3.5 MB). */
export function manyPagePdf(pages: number): Buffer {
  return textPdf(Array.from({ length: pages }, (_, i) => `Page ${i + 1} is about gauge ${i % 97} on river ${i % 13}.`));
}

/** Creates a named pipe; false where `mkfifo` is not available (the caller skips). */
export function makeFifo(file: string): boolean {
  try {
    execFileSync('mkfifo', [file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Creates a character device like /dev/zero (endless bytes if read); false without the privilege (the caller skips). */
export function makeZeroDevice(file: string): boolean {
  try {
    execFileSync('mknod', [file, 'c', '1', '5'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
