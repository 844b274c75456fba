import { LoadError } from '../../core/errors.js';
import type { DocumentRecord } from '../../core/types.js';
import { buildDocument, locationOf, provenance, readText, titleFromName } from './document.js';
import { htmlTitle, htmlToPlainText } from './html-text.js';
import type { FileLoader, LoaderInput } from './loader.js';

/** HTML pages: one document, titled by <title> or the first <h1>; text without markup, links or images. */
export const htmlLoader: FileLoader = {
  extensions: ['.html', '.htm'],
  async load(input: LoaderInput): Promise<DocumentRecord[]> {
    const html = readText(input);
    const text = htmlToPlainText(html);
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
