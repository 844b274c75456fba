/**
 * Which loader handles what: by file extension for files, by content sniffing / Content-Type / URL
 * extension for downloads (servers often send the wrong type, so the bytes get the first say).
 */
import { extname, posix } from 'node:path';
import { looksBinary } from './binary-sniff.js';
import { dcatLoader } from './dcat-loader.js';
import type { Download } from './fetch-source.js';
import { fgdcLoader } from './fgdc-loader.js';
import { htmlLoader } from './html-loader.js';
import type { FileLoader } from './loader.js';
import { markdownLoader } from './markdown-loader.js';
import { pdfLoader } from './pdf-loader.js';
import { textLoader } from './text-loader.js';

const LOADERS: FileLoader[] = [pdfLoader, markdownLoader, textLoader, htmlLoader, dcatLoader, fgdcLoader];

const BY_EXTENSION = new Map<string, FileLoader>(LOADERS.flatMap((l) => l.extensions.map((e) => [e, l] as const)));

/** Lower-case extensions (with dot) that folders are scanned for. */
export const SUPPORTED_EXTENSIONS: readonly string[] = [...BY_EXTENSION.keys()];

/** The loader for a file path by its extension, or null when the type is not supported. */
export function loaderForPath(filePath: string): FileLoader | null {
  return BY_EXTENSION.get(extname(filePath).toLowerCase()) ?? null;
}

/**
 * A name for a loader that survives a trip to the parse worker (a FileLoader object cannot be posted): its first
 * extension. `loaderByKey` turns it back into the loader on the other side.
 */
export function loaderKey(loader: FileLoader): string {
  return loader.extensions[0]!;
}

export function loaderByKey(key: string): FileLoader | null {
  return BY_EXTENSION.get(key) ?? null;
}

function urlExtension(url: string): string {
  try {
    return posix.extname(new URL(url).pathname).toLowerCase();
  } catch {
    return '';
  }
}

function byContentType(type: string | null): FileLoader | null {
  if (!type) return null;
  if (type === 'application/pdf') return pdfLoader;
  if (type === 'application/json' || type.endsWith('+json')) return dcatLoader;
  if (type === 'text/html' || type === 'application/xhtml+xml') return htmlLoader;
  if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return fgdcLoader;
  if (type === 'text/markdown' || type === 'text/x-markdown') return markdownLoader;
  if (type === 'text/plain') return textLoader;
  return null;
}

/** Picks a loader for downloaded bytes; null when nothing fits (the caller skips with the content type). */
export function loaderForDownload(d: Download): FileLoader | null {
  const head = d.bytes.subarray(0, 2048).toString('latin1').replace(/^\u00ef\u00bb\u00bf/, '').trimStart();
  if (head.startsWith('%PDF-')) return pdfLoader;
  if (head.startsWith('{')) return dcatLoader;
  if (/<!doctype html|<html[\s>]/i.test(head)) return htmlLoader;
  if (head.startsWith('<?xml') || /^<metadata[\s>]/.test(head)) return fgdcLoader;
  const byType = byContentType(d.contentType) ?? BY_EXTENSION.get(urlExtension(d.url)) ?? null;
  if (byType) return byType;
  // An unlabeled text body (text/*, or no type at all) is still worth indexing as plain text.
  if ((d.contentType === null || d.contentType.startsWith('text/')) && !looksBinary(d.bytes)) return textLoader;
  return null;
}
