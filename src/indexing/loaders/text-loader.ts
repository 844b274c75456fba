import { LoadError } from '../../core/errors.js';
import type { DocumentRecord } from '../../core/types.js';
import { buildDocument, locationOf, provenance, readText, titleFromName } from './document.js';
import type { FileLoader, LoaderInput } from './loader.js';

/** Plain text files: one document, titled by the file name. */
export const textLoader: FileLoader = {
  extensions: ['.txt'],
  async load(input: LoaderInput): Promise<DocumentRecord[]> {
    const text = readText(input).trim();
    if (!text) throw new LoadError(locationOf(input), 'empty file (no text)');
    return [
      buildDocument({
        ...provenance(input),
        kind: 'text',
        title: titleFromName(input.relPath),
        text,
        page: null,
        keywords: [],
        fields: {},
      }),
    ];
  },
};
