import { LoadError } from '../../core/errors.js';
import type { DocumentRecord } from '../../core/types.js';
import { buildDocument, locationOf, provenance, readText, titleFromName } from './document.js';
import { htmlPageText } from './html-page-text.js';
import { htmlTitle } from './html-text.js';
import type { FileLoader, LoaderInput } from './loader.js';

/**
 * HTML pages: one document, titled by <title> or the first <h1>. The text is the page's main content without
 * navigation, banners, sidebars or footers, in Markdown form: "#" heading lines give each chunk its heading
 * path, code keeps its lines, table rows read "cell | cell" (see html-page-text.ts).
 */
export const htmlLoader: FileLoader = {
  extensions: ['.html', '.htm'],
  async load(input: LoaderInput): Promise<DocumentRecord[]> {
    const html = readText(input);
    let text: string;
    try {
      text = htmlPageText(html);
    } catch (err) {
      // The DOM walk recurses: thousands of nested elements (generated junk, not a page) exhaust the stack.
      if (err instanceof RangeError) throw new LoadError(locationOf(input), 'HTML nested too deeply to read', err);
      throw err;
    }
    if (!text) throw new LoadError(locationOf(input), 'no text in HTML page');
    return [
      buildDocument({
        ...provenance(input),
        kind: 'html',
        title: htmlTitle(html) ?? titleFromName(input.relPath),
        text,
        page: null,
        keywords: [],
        fields: {},
      }),
    ];
  },
};
