/**
 * Tells text from binary junk and decodes text bytes. Text loaders (Markdown, plain text, HTML, JSON, XML)
 * run every input through `decodeText` so that a binary file with a text extension is skipped with a clear
 * reason instead of being indexed as mojibake.
 */

/** How much of a file is inspected; enough to catch binaries, cheap for large text. */
const SNIFF_BYTES = 64 * 1024;
/** Share of undecodable or control characters above which we call the bytes binary. */
const MAX_BAD_RATIO = 0.1;
/** Random bytes hold ~10% C0 controls; real 8-bit legacy text holds almost none. */
const MAX_LEGACY_BAD_RATIO = 0.02;

/** Thrown by `decodeText` for bytes that are not text; loaders turn it into a skip reason. */
export class BinaryContentError extends Error {
  constructor() {
    super('binary file, not text');
    this.name = 'BinaryContentError';
  }
}

type Bom = { encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; length: number };

function detectBom(bytes: Uint8Array): Bom | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/** True for control characters that never occur in text (tab, newlines, form feed and ESC are allowed). */
function isBadControl(code: number): boolean {
  return (code < 32 && code !== 9 && code !== 10 && code !== 13 && code !== 12 && code !== 27) || code === 0x7f;
}

/** Share of characters that are undecodable (U+FFFD) or control characters; C1 controls count when asked. */
function badRatio(text: string, countC1: boolean): number {
  if (text.length === 0) return 0;
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0xfffd || isBadControl(code) || (countC1 && code >= 0x80 && code <= 0x9f)) bad++;
  }
  return bad / text.length;
}

/**
 * True when the bytes look binary: a NUL byte in the sample (UTF-16 text has a BOM and is exempt), or more
 * than 10% undecodable / control characters — unless the bytes read cleanly as Windows-1252, because a short
 * Latin-1 file ("caf\xe9") is mostly "undecodable" as UTF-8 and is still text.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const bom = detectBom(bytes);
  if (bom && bom.encoding !== 'utf-8') return false;
  const sample = bytes.subarray(0, SNIFF_BYTES);
  if (sample.includes(0)) return true;
  // Cut a possibly split multi-byte character off the end so it is not counted as invalid.
  const utf8 = new TextDecoder('utf-8').decode(sample).replace(/\uFFFD$/, '');
  if (badRatio(utf8, false) <= MAX_BAD_RATIO) return false;
  return badRatio(new TextDecoder('windows-1252').decode(sample), true) > MAX_LEGACY_BAD_RATIO;
}

function decoderFor(charset: string | null | undefined): TextDecoder | null {
  if (!charset) return null;
  try {
    return new TextDecoder(charset.trim().toLowerCase());
  } catch {
    return null; // an unknown label in a Content-Type header is not worth failing the download for
  }
}

/**
 * Decodes text bytes: BOM first, then the given charset (from an HTTP header), then strict UTF-8, falling back
 * to Windows-1252 for legacy files (so "café" in Latin-1 still reads right). Line endings become "\n".
 * @throws BinaryContentError when the bytes look binary.
 */
export function decodeText(bytes: Uint8Array, charset?: string | null): string {
  if (looksBinary(bytes)) throw new BinaryContentError();
  const bom = detectBom(bytes);
  let text: string;
  if (bom) {
    text = new TextDecoder(bom.encoding).decode(bytes.subarray(bom.length));
  } else {
    const hinted = decoderFor(charset);
    if (hinted) {
      text = hinted.decode(bytes);
    } else {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text = new TextDecoder('windows-1252').decode(bytes);
      }
    }
  }
  return text.replace(/\r\n?/g, '\n');
}
