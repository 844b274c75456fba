/**
 * Boilerplate-free HTML pages on small hand-made pages shaped like the generators Docent meets (DocBook,
 * Sphinx, MkDocs, Javadoc, plain sites with and without HTML5 landmarks): the main content stays, with its
 * headings as "#" lines, code with its line breaks and tables row by row; navigation, banners, sidebars and
 * footers go.
 */
import { describe, expect, it } from 'vitest';
import { htmlLoader } from '../../../src/indexing/loaders/html-loader.js';
import { htmlPageText } from '../../../src/indexing/loaders/html-page-text.js';
import { htmlToPlainText } from '../../../src/indexing/loaders/html-text.js';

const page = (body: string, title = 'T') => `<!DOCTYPE html><html><head><title>${title}</title></head><body>${body}</body></html>`;

describe('htmlPageText: page furniture', () => {
  it('drops DocBook navheader / navfooter tables and chapter tables of contents', () => {
    const html = page(`
      <div class="navheader"><table summary="Navigation header"><tr><th colspan="5">VACUUM</th></tr>
        <tr><td><a accesskey="p" href="sql-update.html">Prev</a> </td><td><a href="sql-commands.html">Up</a></td>
        <th>SQL Commands</th><td><a href="index.html">Home</a></td><td> <a href="sql-values.html">Next</a></td></tr></table><hr /></div>
      <div class="refentry"><div class="refnamediv"><h2><span class="refentrytitle">VACUUM</span></h2>
        <p>VACUUM — garbage-collect and optionally analyze a database</p></div>
        <div class="toc"><dl><dt><span class="sect1"><a href="x.html">1.1. Lexical Structure</a></span></dt></dl></div>
        <div class="refsect1"><h2>Description</h2><p><code class="command">VACUUM</code> reclaims storage occupied by dead tuples.</p></div></div>
      <div class="navfooter"><hr /><table summary="Navigation footer"><tr><td><a href="sql-update.html">Prev</a> </td>
        <td><a href="sql-commands.html">Up</a></td><td> <a href="sql-values.html">Next</a></td></tr>
        <tr><td>UPDATE </td><td><a href="index.html">Home</a></td><td> VALUES</td></tr></table></div>`, 'VACUUM');
    const text = htmlPageText(html);
    expect(text).toBe(
      '## VACUUM\n\nVACUUM — garbage-collect and optionally analyze a database\n\n## Description\n\nVACUUM reclaims storage occupied by dead tuples.',
    );
    expect(text).not.toMatch(/Prev|Home|Next|Lexical|---/);
  });

  it('keeps only the role=main body of a Sphinx page (no related bar, sidebar, footer or ¶ links)', () => {
    const html = page(`
      <div class="related" role="navigation"><h3>Navigation</h3><ul><li><a href="genindex.html">index</a></li>
        <li><a href="shutil.html">next</a> |</li><li><a href="os.html">previous</a> |</li></ul></div>
      <div class="document"><div class="documentwrapper"><div class="bodywrapper"><div class="body" role="main">
        <section id="os-path"><h1>os.path — Common pathname manipulations<a class="headerlink" href="#os-path" title="Permalink">¶</a></h1>
        <p>This module implements some useful functions on pathnames.</p>
        <div class="admonition note"><p class="admonition-title">Note</p><p>All of these functions accept bytes or strings.</p></div>
        </section></div></div></div>
      <div class="sphinxsidebar" role="navigation"><div class="sphinxsidebarwrapper"><h3>Table of Contents</h3><ul><li><a href="#">os.path</a></li></ul>
        <h4>Previous topic</h4><p><a href="os.html">os</a></p><h4>Next topic</h4><p><a href="shutil.html">shutil</a></p>
        <div role="note"><h3>This Page</h3><ul><li><a href="_sources/os.path.rst.txt">Show Source</a></li></ul></div>
        <div id="searchbox" role="search"><h3>Quick search</h3><form><input type="text" name="q" /><input type="submit" value="Go" /></form></div></div></div>
      </div>
      <div class="footer">© Copyright 2001-2023, Python Software Foundation. Last updated on Mar 05, 2023.</div>`);
    const text = htmlPageText(html);
    expect(text).toBe(
      '# os.path — Common pathname manipulations\n\nThis module implements some useful functions on pathnames.\n\nNote\n\nAll of these functions accept bytes or strings.',
    );
  });

  it('drops an old Sphinx page’s furniture by class name when it has no landmark roles', () => {
    const html = page(`
      <div class="related"><ul><li><a href="a.html">previous</a></li><li><a href="b.html">next</a></li><li><a href="i.html">index</a></li></ul></div>
      <div class="document"><div class="body"><h1>Tutorial</h1><p>Start here.</p></div></div>
      <div class="sphinxsidebar"><h3>Previous topic</h3><p><a href="a.html">Intro</a></p><h3>Quick search</h3></div>
      <div class="footer">Created using Sphinx.</div>`);
    expect(htmlPageText(html)).toBe('# Tutorial\n\nStart here.');
  });

  it('keeps docutils footnotes, topics and boxed notes, which are <aside> elements inside the main text', () => {
    const html = page(`
      <div class="sphinxsidebar" role="navigation"><h3>Previous topic</h3></div>
      <div class="body" role="main"><h1>Logging</h1>
        <aside class="sidebar"><p class="sidebar-title">Important</p><p>This page is the API reference; see the tutorial.</p></aside>
        <p>Loggers have levels.<a class="footnote-reference" href="#f1">1</a></p>
        <aside class="footnote-list brackets"><aside class="footnote brackets" id="f1" role="note"><p>Levels are integers.</p></aside></aside>
      </div>`);
    const text = htmlPageText(html);
    expect(text).toContain('This page is the API reference; see the tutorial.');
    expect(text).toContain('Levels are integers.');
    expect(text).not.toContain('Previous topic');
  });

  it('keeps <main> of a plain HTML5 site and drops <nav>, <header>, <aside> and <footer> around it', () => {
    const html = page(`
      <header><a href="/">Trail Club</a><nav><ul><li><a href="/">Home</a></li><li><a href="/trails">Trails</a></li><li><a href="/maps">Maps</a></li></ul></nav></header>
      <aside><h2>Latest news</h2><p>The hut is closed.</p></aside>
      <main><article><header><h1>Alder Creek Trail</h1><p>By the trail crew</p></header>
        <p>The trail climbs 600 m through old-growth forest.</p><footer>Updated May 2025</footer></article></main>
      <footer><p>© Trail Club · <a href="/privacy">Privacy</a></p></footer>`);
    // An article's own <header> and <footer> are content; the page's are not.
    expect(htmlPageText(html)).toBe('# Alder Creek Trail\n\nBy the trail crew\n\nThe trail climbs 600 m through old-growth forest.\n\nUpdated May 2025');
  });

  it('keeps MkDocs Material’s article and drops its header, tabs, sidebars and footer', () => {
    const html = page(`
      <header class="md-header"><nav class="md-header__inner"><div class="md-header__title">Site</div></nav></header>
      <div class="md-container"><nav class="md-tabs"><ul><li><a href="/">Home</a></li></ul></nav>
      <main class="md-main"><div class="md-main__inner">
        <div class="md-sidebar md-sidebar--primary"><nav class="md-nav"><ul><li><a href="/a">Setup</a></li><li><a href="/b">Reference</a></li></ul></nav></div>
        <div class="md-sidebar md-sidebar--secondary"><nav class="md-nav md-nav--secondary"><label>Table of contents</label><ul><li><a href="#x">Syntax</a></li></ul></nav></div>
        <div class="md-content"><article class="md-content__inner md-typeset"><h1>Reference</h1><h2>Syntax</h2><p>A nav file is a Markdown list.</p></article></div>
      </div></main>
      <footer class="md-footer"><nav class="md-footer__inner"><a href="/a"><div class="md-footer__title">Previous Setup</div></a></nav>
        <div class="md-copyright">Made with Material for MkDocs</div></footer></div>`);
    expect(htmlPageText(html)).toBe('# Reference\n\n## Syntax\n\nA nav file is a Markdown list.');
  });

  it('keeps Javadoc’s headings even where it lays the page out in lists', () => {
    const html = page(`
      <header role="banner"><nav role="navigation"><div class="topNav"><ul class="navList"><li><a href="o.html">Overview</a></li><li>Class</li><li><a href="h.html">Help</a></li></ul></div></nav></header>
      <main role="main"><div class="header"><div class="subTitle">Package org.example.io</div><h2 class="title">Class FileUtils</h2></div>
        <ul class="blockList"><li class="blockList"><section><h3>Method Summary</h3>
        <table><tr><th>Modifier and Type</th><th>Method</th><th>Description</th></tr>
        <tr><td><code>static long</code></td><td><code>sizeOf(File file)</code></td><td>Returns the size of the file.</td></tr></table></section></li></ul></main>
      <footer role="contentinfo"><nav role="navigation"><div class="bottomNav"><a href="o.html">Overview</a></div></nav><p class="legalCopy">Copyright © 2021.</p></footer>`);
    expect(htmlPageText(html)).toBe(
      'Package org.example.io\n\n## Class FileUtils\n\n### Method Summary\n\nModifier and Type | Method | Description\nstatic long | sizeOf(File file) | Returns the size of the file.',
    );
  });

  it('indexes a page without any semantic markup, trimming the link lists around its content', () => {
    const html = page(`
      <div id="top"><a href="/">Home</a> | <a href="/trails">Trails</a> | <a href="/maps">Maps</a> | <a href="/contact">Contact</a></div>
      <div id="wrap"><div class="left"><ul><li><a href="/a">Alder Creek</a></li><li><a href="/b">Bear Paw</a></li><li><a href="/c">Silver Fork</a></li></ul></div>
        <div class="content"><font size="5"><b>Alder Creek Trail</b></font><br><br>The trail climbs 600 m.<br>Open from June to October.
        <p>Parking is limited; see <a href="/p">parking</a>.</p>
        <p>Related: <a href="/x">Bear Paw</a>, <a href="/y">Silver Fork</a>, <a href="/z">Lakes</a></p></div></div>
      <p><a href="/privacy">Privacy</a> · <a href="/terms">Terms</a> · <a href="/about">About us</a></p>`);
    expect(htmlPageText(html)).toBe(
      'Alder Creek Trail\n\nThe trail climbs 600 m.\nOpen from June to October.\n\nParking is limited; see parking.\n\nRelated: Bear Paw, Silver Fork, Lakes',
    );
  });

  it('keeps a bare page of text, and a page that is nothing but navigation, rather than returning nothing', () => {
    expect(htmlPageText('Just some text, no tags at all.')).toBe('Just some text, no tags at all.');
    expect(htmlPageText('<body>Hello <b>world</b></body>')).toBe('Hello world');
    const siteMap = page('<nav><ul><li><a href="/a">Trails</a></li><li><a href="/b">Maps</a></li><li><a href="/c">Permits</a></li></ul></nav>');
    expect(htmlPageText(siteMap)).toBe('- Trails\n- Maps\n- Permits');
    expect(htmlPageText(page('<script>var x = 1</script><nav></nav>'))).toBe('');
  });

  it('leaves out hidden elements, scripts, styles, forms and images', () => {
    const html = page(`<main><p>Shown.</p><p hidden>Hidden.</p><div aria-hidden="true">Icon</div><div style="display: none">Gone</div>
      <script>alert(1)</script><style>p{}</style><div role="search"><form><label>Search</label><input name="q"><button>Go</button></form></div>
      <select><option>English</option></select><img src="m.png" alt="map"></main>`);
    expect(htmlPageText(html)).toBe('Shown.');
  });

  it('keeps a page that a framework wraps whole in a <form> (ASP.NET Web Forms)', () => {
    const html = page(`<form id="aspnetForm" method="post"><input type="hidden" name="__VIEWSTATE" value="x">
      <div id="content"><h1>Permits</h1><p>Apply online.</p></div></form>`);
    expect(htmlPageText(html)).toBe('# Permits\n\nApply online.');
  });
});

describe('htmlPageText: structure', () => {
  it('keeps the line breaks and indentation of <pre> inside a code fence', () => {
    const html = page(`<main><h2>Synopsis</h2><pre class="synopsis">
VACUUM [ ( <em class="replaceable"><code>option</code></em> [, ...] ) ]

where option can be one of:

    FULL [ <em>boolean</em> ]
    FREEZE [ boolean ]
</pre><p>After &amp; more.</p></main>`);
    expect(htmlPageText(html)).toBe(
      '## Synopsis\n\n```\nVACUUM [ ( option [, ...] ) ]\n\nwhere option can be one of:\n\n    FULL [ boolean ]\n    FREEZE [ boolean ]\n```\n\nAfter & more.',
    );
  });

  it('reads a table row by row, cells separated, with its caption', () => {
    const html = page(`<main><table><caption>Table 8.2. Numeric Types</caption>
      <thead><tr><th>Name</th><th>Storage Size</th><th>Range</th></tr></thead>
      <tbody><tr><td><code>smallint</code></td><td>2 bytes</td><td>-32768 to +32767</td></tr>
      <tr><td><code>integer</code></td><td>4 bytes</td><td><p>-2147483648</p><p>to +2147483647</p></td></tr></tbody></table></main>`);
    expect(htmlPageText(html)).toBe(
      'Table 8.2. Numeric Types\nName | Storage Size | Range\nsmallint | 2 bytes | -32768 to +32767\ninteger | 4 bytes | -2147483648 to +2147483647',
    );
  });

  it('renders a single-column row or a cell with code as blocks, so the code keeps its lines', () => {
    const html = page(`<main><table><tr><td><p>json_array_elements ( json ) → setof json</p><p>Expands a JSON array.</p>
      <pre>   value\n-----------\n 1\n true</pre></td></tr></table></main>`);
    expect(htmlPageText(html)).toBe('json_array_elements ( json ) → setof json\n\nExpands a JSON array.\n\n```\n   value\n-----------\n 1\n true\n```');
  });

  it('writes lists with markers and nesting, definition lists as lines', () => {
    const html = page(`<main><ul><li>Alpha<ul><li>Alpha one</li></ul></li><li>Beta</li></ul>
      <ol start="3"><li>Third</li><li>Fourth</li></ol><dl><dt>FULL</dt><dd>Reclaims more space.</dd></dl></main>`);
    expect(htmlPageText(html)).toBe('- Alpha\n  - Alpha one\n- Beta\n\n3. Third\n4. Fourth\n\nFULL\nReclaims more space.');
  });

  it('escapes text that would read as a Markdown heading or fence, and keeps call-out titles out of the heading path', () => {
    const html = page(`<main><p># not a heading</p><div class="tip"><h3 class="title">Tip</h3><p>Vacuum often.</p></div></main>`);
    expect(htmlPageText(html)).toBe('\\# not a heading\n\nTip\n\nVacuum often.');
  });

  it('collapses whitespace like a browser and decodes entities', () => {
    expect(htmlPageText('<p>  Two\n   lines&nbsp;and&#x20AC;<b>bold</b><i> text</i> </p>')).toBe('Two lines and€bold text');
  });
});

describe('htmlLoader on a whole page, and fragments', () => {
  it('titles by <title> and loads the cleaned text', async () => {
    const html = page('<nav><a href="/">Home</a></nav><main><h1>Permits</h1><p>Apply online.</p></main>', 'Permits — Trail Club');
    const [doc] = await htmlLoader.load({ absPath: '/d/p.html', relPath: 'p.html', sourceRoot: '/d', bytes: Buffer.from(html), mtime: null });
    expect(doc).toMatchObject({ kind: 'html', title: 'Permits — Trail Club', text: '# Permits\n\nApply online.' });
  });

  it('skips a page nested too deeply to walk with a reason, not a crash', async () => {
    const html = `${'<div>'.repeat(20_000)}deep${'</div>'.repeat(20_000)}`;
    const load = htmlLoader.load({ absPath: '/d/deep.html', relPath: 'deep.html', sourceRoot: '/d', bytes: Buffer.from(html), mtime: null });
    await expect(load).rejects.toMatchObject({ name: 'LoadError', reason: 'HTML nested too deeply to read' });
  });

  it('keeps the plain fragment conversion for catalog descriptions (no Markdown, no clean-up)', () => {
    expect(htmlToPlainText('<p>Roads &amp; <a href="x">bridges</a></p><h2>Use</h2><nav>Kept in a fragment</nav>')).toBe('Roads & bridges\n\nUse\n\nKept in a fragment');
  });
});
