/**
 * Generators for hostile inputs used by the reliability suite: XML entity bombs and external entities,
 * absurdly deep JSON, DCAT feeds with wrong types, PDFs with thousands of empty pages, invalid UTF-8, and a
 * loopback server whose responses never finish. Not a test file itself (no `.test.ts`).
 */
import type { ServerResponse } from 'node:http';
import { startServer, textPdf } from '../indexing/loaders/helpers.js';

/** Minimal FGDC record around a given abstract, with an optional DOCTYPE internal subset. */
export function fgdcRecord(title: string, abstract: string, doctype = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
${doctype ? `<!DOCTYPE metadata [${doctype}]>\n` : ''}<metadata><idinfo><citation><citeinfo><origin>Test Agency</origin>
<title>${title}</title></citeinfo></citation><descript><abstract>${abstract}</abstract></descript>
<keywords><theme><themekey>Hostile</themekey></theme></keywords></idinfo></metadata>`;
}

/** "Billion laughs": lol9 would expand to 10^9 "lol"s if entities nested inside entities were expanded. */
export function billionLaughsXml(levels = 9): string {
  let ents = '<!ENTITY lol "lol">';
  for (let i = 1; i <= levels; i++) ents += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
  return fgdcRecord('Billion Laughs', `Bomb: &lol${levels};`, ents);
}

/** Quadratic blowup: one 9 KB entity referenced 20,000 times (~180 MB if expanded). */
export function quadraticBlowupXml(): string {
  return fgdcRecord('Quadratic', '&a;'.repeat(20_000), `<!ENTITY a "${'x'.repeat(9000)}">`);
}

/** XXE: an external entity pointing at a local file. */
export function xxeFileXml(file = '/etc/passwd'): string {
  return fgdcRecord('XXE File', 'Leak: &xxe;', `<!ENTITY xxe SYSTEM "file://${file}">`);
}

/** XXE: an external entity pointing at an http URL (a loopback server that records requests). */
export function xxeHttpXml(url: string): string {
  return fgdcRecord('XXE Http', 'Fetch: &web;', `<!ENTITY web SYSTEM "${url}">`);
}

/** `{"dataset": [[[[…]]]]}` nested `depth` levels deep. */
export function deepJson(depth = 10_000): string {
  return `{"dataset": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** A nested array value `depth` levels deep, as JSON text (to embed inside a dataset field). */
export function deepValue(depth = 10_000): string {
  return `${'['.repeat(depth)}"bottom"${']'.repeat(depth)}`;
}

/**
 * A DCAT feed mixing good datasets with missing fields and wrong types, plus one dataset whose `spatial` and
 * `description` are 10,000 levels deep. Returned as text because the deep parts cannot go through
 * JSON.stringify of a literal conveniently.
 */
export function wrongTypesDcat(): string {
  const datasets = [
    // fine
    JSON.stringify({ title: 'Good Roads', identifier: 'good-roads', description: 'Road network.', keyword: ['roads'] }),
    // wrong types that can still be read: title a number, keyword a string, description an object, distribution an object
    JSON.stringify({ title: 12345, identifier: 'numeric-title', keyword: 'single keyword', description: { html: '<p>x</p>' }, distribution: { downloadURL: 'https://example.org/x.csv' } }),
    // missing title / identifier: skipped on their own
    JSON.stringify({ identifier: 'no-title', description: 'Nothing to call it.' }),
    JSON.stringify({ title: { text: 'object title' }, identifier: 'object-title' }),
    JSON.stringify({ title: 'No Identifier' }),
    // not an object at all
    '"just a string"',
    'null',
    '42',
    // deeply nested fields on an otherwise valid dataset
    `{"title": "Deep Fields", "identifier": "deep-fields", "description": ${deepValue()}, "spatial": ${deepValue()}, "keyword": ${deepValue()}}`,
  ];
  return `{"dataset": [${datasets.join(',\n')}]}`;
}

/** A PDF of `pages` pages, none with text. */
export function emptyPagesPdf(pages = 3000): Buffer {
  return textPdf(Array.from({ length: pages }, () => ''));
}

/** A good PDF cut short in the middle of its objects. */
export function truncatedPdf(): Buffer {
  const good = textPdf(['Page one text', 'Page two text']);
  return good.subarray(0, Math.floor(good.length / 2));
}

/** Readable text with invalid UTF-8 sequences mixed in (lone continuation bytes, bad 2-byte and 3-byte starts). */
export function invalidUtf8(text = 'Stream gauge notes'): Buffer {
  return Buffer.concat([
    Buffer.from(`${text}: before `),
    Buffer.from([0xc3, 0x28]), // invalid 2-byte sequence
    Buffer.from(' middle '),
    Buffer.from([0xa0, 0xa1]), // lone continuation bytes
    Buffer.from(' and '),
    Buffer.from([0xe2, 0x28, 0xa1]), // invalid 3-byte sequence
    Buffer.from(' after. More readable words about water levels and snow pillows.\n'),
  ]);
}

/**
 * A loopback server for the hostile URL cases:
 * - `/hang`: sends headers and a little body, then never finishes;
 * - `/xxe-target`: what an XXE entity would fetch; every request to it is recorded in `requests`.
 */
export async function hostileServer(): Promise<{ base: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const hanging: ServerResponse[] = [];
  const { base, close } = await startServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/hang') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('The first few words arrive, then nothing more');
      hanging.push(res);
      return; // never ends
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('SECRET-FROM-LOOPBACK');
  });
  return {
    base,
    requests,
    close: async () => {
      for (const res of hanging) res.destroy();
      await close();
    },
  };
}
