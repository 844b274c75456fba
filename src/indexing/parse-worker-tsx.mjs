// Entry of the parse worker when Docent runs from its TypeScript sources (tsx, vitest): a worker thread starts
// without the parent's TypeScript loader, so it registers tsx itself before loading parse-worker.ts. The
// compiled build (dist/) starts parse-worker.js directly and never loads this file; tsc does not copy it.
//
// pdf.js (pdf-parse's engine, and the "worker" module it imports when the first PDF opens) is megabytes of
// JavaScript; loaded through tsx's hooks it costs ~300 MB more, which would count against the parse memory
// limit. So both are loaded before tsx is registered, and pdf.js is handed its worker module the way it looks
// for one already loaded (globalThis.pdfjsWorker), resolved from pdf-parse so it is pdf-parse's own copy.
// No top-level await: the pool may load this file with require(), which refuses modules that use it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const pdfParseMain = createRequire(import.meta.url).resolve('pdf-parse');
const pdfjsWorker = pathToFileURL(createRequire(pdfParseMain).resolve('pdfjs-dist/legacy/build/pdf.worker.mjs')).href;

const worker = Promise.all([import('pdf-parse'), import(pdfjsWorker)]).then(([, pdfWorker]) => {
  globalThis.pdfjsWorker = pdfWorker;
  register();
  return import('./parse-worker.ts');
});
// A load failure surfaces through the first task instead of crashing the thread as an unhandled rejection.
worker.catch(() => undefined);

export default async function parse(task) {
  return (await worker).default(task);
}
