/** Each loader on small hand-made inputs: titles, text clean-up, catalog field mapping, edge cases. */
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../../src/core/errors.js';
import { decodeText, looksBinary } from '../../../src/indexing/loaders/binary-sniff.js';
import { dcatLoader } from '../../../src/indexing/loaders/dcat-loader.js';
import { isoDay, titleFromName } from '../../../src/indexing/loaders/document.js';
import { fgdcLoader } from '../../../src/indexing/loaders/fgdc-loader.js';
import { htmlLoader } from '../../../src/indexing/loaders/html-loader.js';
import type { LoaderInput, SkippedItem } from '../../../src/indexing/loaders/loader.js';
import { firstH1, markdownLoader } from '../../../src/indexing/loaders/markdown-loader.js';
import { meaningfulPdfTitle, pdfLoader } from '../../../src/indexing/loaders/pdf-loader.js';
import { overLimitReason } from '../../../src/indexing/loaders/size-limit.js';
import { textLoader } from '../../../src/indexing/loaders/text-loader.js';
import { junkBytes, textPdf } from './helpers.js';

function input(relPath: string, content: string | Buffer): LoaderInput {
  return {
    absPath: `/data/${relPath}`,
    relPath,
    sourceRoot: '/data',
    bytes: typeof content === 'string' ? Buffer.from(content) : content,
    mtime: new Date('2025-03-04T05:06:07Z'),
  };
}

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LoadError) return err.reason;
    throw err;
  }
  throw new Error('expected a LoadError');
}

describe('text decoding and binary detection', () => {
  it('calls NUL-laden or undecodable bytes binary, text not', () => {
    expect(looksBinary(junkBytes(3000))).toBe(true);
    expect(looksBinary(Buffer.from(junkBytes(3000).map((b) => (b === 0 ? 1 : b))))).toBe(true);
    expect(looksBinary(Buffer.from('héllo wörld, plain text\n'))).toBe(false);
    expect(looksBinary(Buffer.from('\ufeffhello', 'utf16le'))).toBe(false);
  });

  it('decodes UTF-8, UTF-16 with BOM and Latin-1, normalising line endings', () => {
    expect(decodeText(Buffer.from('a\r\nb\rc'))).toBe('a\nb\nc');
    expect(decodeText(Buffer.from('\ufeffcafé', 'utf16le'))).toBe('café');
    expect(decodeText(Buffer.from('caf\xe9 cr\xe8me', 'latin1'))).toBe('café crème');
  });
});

describe('helpers', () => {
  it('normalises catalog dates to ISO days', () => {
    expect(isoDay('20260206')).toBe('2026-02-06');
    expect(isoDay('2026-02-06')).toBe('2026-02-06');
    expect(isoDay('202602')).toBe('2026-02-01');
    expect(isoDay('2026')).toBe('2026-01-01');
    expect(isoDay('2026-02-26T20:44:42.000Z')).toBe('2026-02-26T20:44:42.000Z');
    expect(isoDay('20261340')).toBeNull();
    expect(isoDay('unknown')).toBeNull();
    expect(isoDay('R/P1D')).toBeNull();
  });

  it('names things after files and URLs', () => {
    expect(titleFromName('docs/Intro Guide.md')).toBe('Intro Guide');
    expect(titleFromName('https://example.org/files/Annual%20Report.pdf?x=1')).toBe('Annual Report');
    expect(titleFromName('https://example.org/')).toBe('example.org');
  });

  it('words size-limit skips the way the run summary shows them', () => {
    const MB = 1024 * 1024;
    expect(overLimitReason('file', 12.3 * MB, 10 * MB)).toBe('file is 12.3 MB, over the 10 MB limit (LOADER_MAX_FILE_MB)');
    expect(overLimitReason('file', 10.04 * MB, 10 * MB)).toBe('file is 10.04 MB, over the 10 MB limit (LOADER_MAX_FILE_MB)');
    expect(overLimitReason('download', null, 10 * MB)).toBe('download is over the 10 MB limit (LOADER_MAX_FILE_MB)');
  });
});

describe('markdown', () => {
  it('takes the title from front matter, else the first H1 outside code, else the file name', async () => {
    const [fm] = await markdownLoader.load(input('a.md', '---\ntitle: "From *front* matter"\ntags: [x]\n---\n\n# Heading\ntext'));
    expect(fm).toMatchObject({ title: 'From front matter', text: '# Heading\ntext', kind: 'markdown', sourceId: 'a.md', modified: '2025-03-04T05:06:07.000Z' });
    const [h1] = await markdownLoader.load(input('b.md', '```\n# not a title\n```\n\nSetext Title\n============\n\n# Later'));
    expect(h1!.title).toBe('Setext Title');
    const [plain] = await markdownLoader.load(input('dir/c.markdown', 'no heading at all'));
    expect(plain!.title).toBe('c');
    expect(firstH1('## Sub\n# [Linked](http://x) `Title` #')).toBe('Linked Title');
  });

  it('survives broken front matter and rejects an empty file', async () => {
    const [doc] = await markdownLoader.load(input('d.md', '---\ntitle: [unclosed\n---\nBody'));
    expect(doc).toMatchObject({ title: 'd', text: 'Body' });
    expect(await reasonOf(markdownLoader.load(input('e.md', '---\ntitle: x\n---\n  \n')))).toBe('empty file (no text)');
    expect(await reasonOf(markdownLoader.load(input('f.md', junkBytes(2000))))).toBe('binary file, not text');
  });
});

describe('html and text', () => {
  it('titles HTML by <title>, then <h1>; text without links, images or scripts', async () => {
    const html = `<html><head><title> A &amp; B </title><script>var x = 1</script><style>p{}</style></head>
      <body><h2>Section</h2><p>See <a href="https://example.org/x">the map</a> <img src="m.png" alt="map"> now.</p></body></html>`;
    const [doc] = await htmlLoader.load(input('p.html', html));
    expect(doc).toMatchObject({ title: 'A & B', text: '## Section\n\nSee the map now.', kind: 'html' });
    const [noTitle] = await htmlLoader.load(input('q.htm', '<body><h1>Main <em>Heading</em></h1><p>x</p></body>'));
    expect(noTitle!.title).toBe('Main Heading');
  });

  it('reads text files as they are', async () => {
    const [doc] = await textLoader.load(input('notes/todo.txt', '\n  Line one\nLine two  \n'));
    expect(doc).toMatchObject({ title: 'todo', text: 'Line one\nLine two', sourceId: 'notes/todo.txt', path: '/data/notes/todo.txt' });
  });
});

describe('pdf', () => {
  it('ignores junk Info titles', () => {
    expect(meaningfulPdfTitle('gnuplot documentation', 'gnuplot')).toBe('gnuplot documentation');
    expect(meaningfulPdfTitle('Microsoft Word - report.docx', 'report')).toBeNull();
    expect(meaningfulPdfTitle('untitled', 'x')).toBeNull();
    expect(meaningfulPdfTitle('  ', 'x')).toBeNull();
    expect(meaningfulPdfTitle(undefined, 'x')).toBeNull();
  });

  it('falls back to the file name for a junk title and skips a PDF with no text at all', async () => {
    const docs = await pdfLoader.load(input('scans/manual.pdf', textPdf(['Only page'], 'manual.pdf')));
    expect(docs.map((d) => [d.title, d.page, d.sourceId])).toEqual([['manual', 1, 'scans/manual.pdf']]);
    expect(await reasonOf(pdfLoader.load(input('scan.pdf', textPdf(['', ''])))))
      .toBe('no extractable text in PDF (scanned images?)');
  });
});

describe('DCAT-US', () => {
  it('skips datasets without title or identifier (naming feed and index) and repeated identifiers', async () => {
    const skipped: SkippedItem[] = [];
    const feed = {
      dataset: [
        { title: 'Good', identifier: 'g1', keyword: 'single', spatial: { type: 'Point', coordinates: [1, 2] }, modified: '2024-06-01' },
        { identifier: 'no-title' },
        { title: 'No identifier' },
        { title: 'Again', identifier: 'g1' },
        'not even an object',
      ],
    };
    const docs = await dcatLoader.load(input('cat/data.json', JSON.stringify(feed)), { onSkip: (s) => skipped.push(s) });
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      sourceId: 'g1', title: 'Good', text: 'Good', keywords: ['single'], url: null, modified: '2024-06-01',
      fields: { identifier: 'g1', spatial: '{"type":"Point","coordinates":[1,2]}' },
    });
    expect(skipped).toEqual([
      { location: '/data/cat/data.json#dataset[1]', reason: 'dataset 1 in cat/data.json has no title' },
      { location: '/data/cat/data.json#dataset[2]', reason: 'dataset 2 in cat/data.json has no identifier' },
      { location: '/data/cat/data.json#dataset[3]', reason: 'dataset 3 in cat/data.json repeats identifier g1' },
      { location: '/data/cat/data.json#dataset[4]', reason: 'dataset 4 in cat/data.json has no title' },
    ]);
  });

  it('strips HTML, decodes entities escaped twice, and maps fields', async () => {
    const feed = {
      dataset: [{
        title: 'Fire',
        identifier: 'f1',
        description: "<div style='x'><p>Flame &amp;lt; 2 ft &amp;amp;amp; more</p><p>Second <a href='u'>para</a></p></div>",
        publisher: { name: 'USFS' },
        contactPoint: { fn: 'Desk', hasEmail: 'mailto:desk@example.org' },
        distribution: [{ title: 'Page', accessURL: 'https://e.org/p' }, { format: 'CSV', downloadURL: 'https://e.org/f.csv', accessURL: 'https://e.org/a' }, { title: 'none' }],
        landingPage: 'https://e.org/land',
        issued: '2020-01-01',
        accessLevel: 'public',
      }],
    };
    const [doc] = await dcatLoader.load(input('f.json', JSON.stringify(feed)));
    expect(doc!.text).toBe('Flame < 2 ft & more\n\nSecond para');
    expect(doc!.url).toBe('https://e.org/land');
    expect(doc!.fields).toEqual({
      identifier: 'f1', publisher: 'USFS', contact: 'Desk, desk@example.org', landingPage: 'https://e.org/land',
      distributions: 'Page: https://e.org/p\nCSV: https://e.org/f.csv', issued: '2020-01-01', accessLevel: 'public',
      // Card fields: a download prefers downloadURL; "Page" has no format, so its title names it (a page is no format).
      downloads: 'Page\thttps://e.org/p\nCSV\thttps://e.org/f.csv', formats: 'CSV',
    });
  });

  it('an empty catalog is fine; junk is not', async () => {
    expect(await dcatLoader.load(input('e.json', '{"dataset": []}'))).toEqual([]);
    expect(await reasonOf(dcatLoader.load(input('l.json', '[1,2]')))).toBe('not a DCAT-US catalog (no dataset array)');
  });
});

describe('FGDC CSDGM', () => {
  const record = `<?xml version="1.0"?>
<metadata>
  <idinfo>
    <citation><citeinfo>
      <origin>  Agency One </origin><origin>Agency Two</origin>
      <pubdate>2019</pubdate>
      <title>
        S_TEST.Layer
      </title>
      <onlink>ftp://old.example.org/x</onlink>
      <onlink>https://example.org/layer</onlink>
    </citeinfo></citation>
    <descript>
      <abstract>First   paragraph
        continues.</abstract>
      <purpose>Testing.</purpose>
      <supplinf>Extra.</supplinf>
    </descript>
    <timeperd><timeinfo><mdattim><sngdate><caldate>20200101</caldate></sngdate><sngdate><caldate>Present</caldate></sngdate></mdattim></timeinfo></timeperd>
    <status><progress>Planned</progress><update>Monthly</update></status>
    <keywords>
      <theme><themekt>None</themekt><themekey>None</themekey><themekey>Roads</themekey></theme>
      <theme><themekey>roads</themekey><themekey>Bridges</themekey></theme>
      <place><placekey>Montana</placekey></place>
    </keywords>
    <ptcontac><cntinfo><cntperp><cntper>Ann Lee</cntper><cntorg>Region 1</cntorg></cntperp><cntvoice>406-555-0100</cntvoice><cntemail>ann@example.org</cntemail></cntinfo></ptcontac>
    <ptcontac><cntinfo><cntorgp><cntorg>Help Desk</cntorg></cntorgp><cntvoice>Please e-mail</cntvoice></cntinfo></ptcontac>
    <useconst>${'u'.repeat(400)}</useconst>
  </idinfo>
  <distinfo><stdorder><digform><digtopt><onlinopt><computer><networka><networkr>https://example.org/download.zip</networkr></networka></computer></onlinopt></digtopt></digform></stdorder></distinfo>
  <metainfo><metd>unknown</metd><metc><cntinfo><cntorgp><cntorg>Help Desk</cntorg></cntorgp><cntvoice>Please e-mail</cntvoice></cntinfo></metc></metainfo>
</metadata>`;

  it('normalises repeated and single elements, whitespace, keywords and contacts', async () => {
    const [doc] = await fgdcLoader.load(input('layers/layer.xml', record));
    expect(doc).toMatchObject({
      sourceId: 'layers/layer.xml',
      kind: 'fgdc',
      title: 'S_TEST.Layer',
      text: 'First paragraph\ncontinues.\n\nPurpose: Testing.\n\nSupplemental information: Extra.',
      keywords: ['Roads', 'Bridges', 'Montana'],
      url: 'https://example.org/layer',
      modified: '2019-01-01', // metd is "unknown", so the citation pubdate
    });
    expect(doc!.fields).toMatchObject({
      publisher: 'Agency One; Agency Two',
      timePeriod: '2020-01-01, Present',
      updateFrequency: 'Monthly',
      progress: 'Planned',
      contacts: 'Region 1; Ann Lee; ann@example.org; 406-555-0100\nHelp Desk',
      onlineLinks: 'ftp://old.example.org/x\nhttps://example.org/layer\nhttps://example.org/download.zip',
    });
    expect(doc!.fields['useConstraints']).toHaveLength(300);
    expect(doc!.fields['useConstraints']!.endsWith('…')).toBe(true);
    expect(doc!.fields['bbox']).toBeUndefined();
  });

  it('tells malformed XML from XML that is not FGDC', async () => {
    expect(await reasonOf(fgdcLoader.load(input('a.xml', '<metadata><idinfo></metadata>')))).toMatch(/^malformed XML: /);
    expect(await reasonOf(fgdcLoader.load(input('b.xml', '<metadata><other/></metadata>')))).toBe('not an FGDC CSDGM record');
    expect(await reasonOf(fgdcLoader.load(input('c.xml', junkBytes(1000))))).toBe('binary file, not text');
  });

  it('the content hash follows the content, not the mtime', async () => {
    const a = (await fgdcLoader.load(input('l.xml', record)))[0]!;
    const b = (await fgdcLoader.load({ ...input('l.xml', record), mtime: new Date(0) }))[0]!;
    const c = (await fgdcLoader.load(input('l.xml', record.replace('Testing.', 'Tested.'))))[0]!;
    expect(a.contentHash).toBe(b.contentHash);
    expect(a.contentHash).not.toBe(c.contentHash);
  });
});
